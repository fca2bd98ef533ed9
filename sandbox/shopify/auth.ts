// Access tokens: one static admin token (all scopes, never expires, like a legacy custom-app `shpat_`)
// and expiring tokens from the client-credentials grant, each with its own scopes.
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** The static admin token accepted by every sandbox unless another is configured. */
export const DEFAULT_ACCESS_TOKEN = 'shpat_koppel_sandbox_0000000000000000';
export const DEFAULT_CLIENT_ID = 'koppel-sandbox-client-id';
export const DEFAULT_CLIENT_SECRET = 'koppel-sandbox-client-secret';
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;

/** The scopes a client-credentials token gets by default: everything Koppel's flows use. */
export const DEFAULT_SCOPES: readonly string[] = [
  'read_products',
  'write_products',
  'read_inventory',
  'write_inventory',
  'read_locations',
  'read_publications',
  'write_publications',
  'read_customers',
  'write_customers',
  'read_companies',
  'write_companies',
  'read_orders',
  'write_orders',
  'read_all_orders',
  'read_draft_orders',
  'write_draft_orders',
];

export interface TokenInfo {
  token: string;
  kind: 'static' | 'client_credentials';
  scopes: readonly string[];
  /** Epoch ms; undefined = never expires. */
  expiresAt?: number;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface TokenStoreOptions {
  staticToken: string;
  clientId: string;
  clientSecret: string;
  ttlSeconds: number;
  scopes: readonly string[];
}

export type GrantResult =
  | { ok: true; body: { access_token: string; scope: string; expires_in: number } }
  | { ok: false; status: number; body: { error: string; error_description: string } };

export class TokenStore {
  private readonly tokens = new Map<string, TokenInfo>();

  constructor(
    private readonly now: () => number,
    readonly options: TokenStoreOptions,
  ) {}

  lookup(token: string | null | undefined): TokenInfo | null {
    if (!token) return null;
    if (safeEqual(token, this.options.staticToken)) {
      return { token, kind: 'static', scopes: ['*'] };
    }
    const t = this.tokens.get(token);
    if (!t) return null;
    if (t.expiresAt !== undefined && this.now() >= t.expiresAt) {
      this.tokens.delete(token);
      return null;
    }
    return t;
  }

  /** Mints a client-credentials-style token (tests: a token with fewer scopes or a short life). */
  issue(opts: { scopes?: readonly string[]; ttlSeconds?: number } = {}): TokenInfo {
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    const ttl = opts.ttlSeconds ?? this.options.ttlSeconds;
    const info: TokenInfo = {
      token,
      kind: 'client_credentials',
      scopes: [...(opts.scopes ?? this.options.scopes)],
      expiresAt: this.now() + ttl * 1000,
    };
    this.tokens.set(token, info);
    return info;
  }

  revoke(token: string): boolean {
    return this.tokens.delete(token);
  }

  /** POST /admin/oauth/access_token with grant_type=client_credentials. */
  grant(body: Record<string, unknown>): GrantResult {
    if (body.grant_type !== 'client_credentials') {
      return {
        ok: false,
        status: 400,
        body: { error: 'unsupported_grant_type', error_description: `grant_type must be "client_credentials", got ${JSON.stringify(body.grant_type ?? null)}` },
      };
    }
    const id = typeof body.client_id === 'string' ? body.client_id : '';
    const secret = typeof body.client_secret === 'string' ? body.client_secret : '';
    if (!safeEqual(id, this.options.clientId) || !safeEqual(secret, this.options.clientSecret)) {
      return { ok: false, status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed: unknown client_id or wrong client_secret.' } };
    }
    const t = this.issue();
    return {
      ok: true,
      body: { access_token: t.token, scope: t.scopes.join(','), expires_in: this.options.ttlSeconds },
    };
  }

  clear(): void {
    this.tokens.clear();
  }
}
