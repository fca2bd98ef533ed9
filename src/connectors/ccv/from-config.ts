import type { KoppelConfig } from '../../config/schema.js';
import type { Logger } from '../../obs/log.js';
import { CcvRateBudget } from './budget.js';
import { CcvClient, type CcvClientOptions } from './client.js';

export type CcvConnectionConfig = NonNullable<KoppelConfig['connections']['ccv']>;

/** A client for a configured CCV connection. One budget per connection: share the returned client. */
export function ccvClientFromConfig(conn: CcvConnectionConfig, opts: { logger?: Logger; connection?: string } & Partial<CcvClientOptions> = {}): CcvClient {
  return new CcvClient({
    baseUrl: conn.baseUrl,
    publicKey: conn.publicKey,
    secretKey: conn.secretKey,
    mediaType: conn.mediaType,
    budget: new CcvRateBudget(conn.limits ?? {}),
    connection: opts.connection ?? 'ccv',
    ...opts,
  });
}
