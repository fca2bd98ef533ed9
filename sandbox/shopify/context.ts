import type { SandboxCore } from './core.js';
import type { ApiVersion, SchemaInfo } from './schema.js';
import type { SearchWarning } from './search.js';
import type { SandboxState } from './state.js';

/** What every resolver receives as its GraphQL context. */
export interface RequestContext {
  core: SandboxCore;
  state: SandboxState;
  version: ApiVersion;
  schema: SchemaInfo;
  /** Granted scopes, write scopes already expanded to their read scopes. */
  scopes: ReadonlySet<string>;
  /** The app's token (a static admin token or a client-credentials token). */
  tokenKind: 'static' | 'client_credentials';
  /** Collected for `extensions.search` (unknown search fields are ignored with a warning, like Shopify). */
  searchWarnings: { path: (string | number)[]; query: string; warnings: SearchWarning[] }[];
  /** Set while a root mutation field with `@idempotent(key:)` runs. */
  idempotencyKey?: string;
  /** Processing delay still to apply once, inside the first root field (fault injection). */
  pendingLatencyMs: number;
  /** Origin the request came in on (e.g. http://127.0.0.1:4200), for URLs the sandbox hands out (staged uploads, bulk results). */
  origin?: string;
  /** Set while a bulk operation runs a document (no cost, no bucket). */
  bulk?: boolean;
}
