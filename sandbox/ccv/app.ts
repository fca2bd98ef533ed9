/**
 * Hono app in front of the sandbox core: `/api/rest/v1/...` (signed API) and `/__sandbox/...` (test endpoints).
 * Reads the raw body as text and the raw request target (node's `incoming.url`) before anything else, because
 * both are part of the signature.
 */
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { handleApi, type RawRequest } from './api.js';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { CcvSandboxCore } from './core.js';
import { CODES } from './errors.js';
import type { CcvSandboxOptions } from './options.js';
import { API_PREFIX } from './options.js';

/** Thrown out of the fetch handler when a fault drops the connection and there is no socket to destroy. */
export class DroppedConnectionError extends Error {
  constructor() {
    super('connection dropped by the CCV sandbox (fault injection: commit then drop)');
    this.name = 'DroppedConnectionError';
  }
}

export interface CcvApp {
  app: Hono<{ Bindings: Partial<HttpBindings> }>;
  core: CcvSandboxCore;
  /** `fetch`-compatible handler (no socket). */
  fetch: (req: Request) => Promise<Response>;
}

function matches(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export function createCcvApp(optsOrCore: CcvSandboxOptions | CcvSandboxCore = {}): CcvApp {
  const core = optsOrCore instanceof CcvSandboxCore ? optsOrCore : new CcvSandboxCore(optsOrCore);
  const app = new Hono<{ Bindings: Partial<HttpBindings> }>();

  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const incoming = c.env?.incoming;
    const uri = incoming?.url ?? `${url.pathname}${url.search}`;
    const path = uri.split('?')[0] ?? '';
    const body = await c.req.text();
    const req: RawRequest = { method: c.req.method, uri, origin: url.origin, body, header: (n) => c.req.header(n) };
    let res;
    if (matches(path, API_PREFIX)) res = await handleApi(core, req);
    else if (matches(path, CONTROL_PREFIX)) res = await handleControl(core, req, incoming?.socket?.remoteAddress);
    else {
      res = {
        status: 404,
        body: JSON.stringify({ status: 404, code: CODES.invalidResource, developermessage: `Not found: the API lives under ${API_PREFIX}/` }),
        headers: { 'content-type': 'application/json; charset=utf-8' } as Record<string, string>,
      };
    }
    if (res.drop) {
      if (incoming) {
        incoming.socket.destroy();
        return new Response(null, { status: 204 });
      }
      throw new DroppedConnectionError();
    }
    return new Response(res.body === '' ? null : res.body, { status: res.status, headers: res.headers });
  });

  app.onError((err) => {
    if (err instanceof DroppedConnectionError) throw err;
    core.log(`unhandled error: ${err.stack ?? String(err)}`);
    return new Response(JSON.stringify({ status: 500, code: CODES.internal, developermessage: err.message }), { status: 500, headers: { 'content-type': 'application/json' } });
  });

  return { app, core, fetch: async (req) => app.fetch(req, {}) };
}
