// HTTP surface (Hono): the Admin GraphQL endpoint, the client-credentials grant and the `/__sandbox/`
// test endpoints. Works through a socket (@hono/node-server) and in-process through `app.fetch`.
import { Hono } from 'hono';
import type { Context } from 'hono';
import { isPlanName } from './bucket.js';
import type { SandboxCore } from './core.js';
import { handleGraphQL } from './graphql.js';
import { SandboxInputError } from './registry.js';

export const INVALID_TOKEN_MESSAGE = '[API] Invalid API key or access token (unrecognized login or wrong password)';

async function readJson(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  const ct = (c.req.header('content-type') ?? '').toLowerCase();
  if (ct.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new SandboxInputError('request body must be JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SandboxInputError('request body must be a JSON object');
  return v as Record<string, unknown>;
}

function droppedResponse(c: Context): Response {
  const incoming = (c.env as { incoming?: { socket?: { destroy: () => void } } } | undefined)?.incoming;
  if (incoming?.socket) {
    incoming.socket.destroy();
    return new Response(null, { status: 500 });
  }
  // In-process (app.fetch): the body stream fails, as reading from a dropped connection does.
  return new Response(
    new ReadableStream({
      start(controller) {
        controller.error(new TypeError('fetch failed: connection dropped by the sandbox (fault injection)'));
      },
    }),
    { status: 200, headers: { 'content-type': 'application/json' } },
  );
}

export function createApp(core: SandboxCore): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof SandboxInputError) return c.json({ error: err.message }, 400);
    core.log(`sandbox error on ${c.req.method} ${c.req.path}: ${err.stack ?? String(err)}`);
    return c.json({ errors: 'Internal Server Error' }, 500);
  });

  app.post('/admin/api/:version/graphql.json', async (c) => {
    const version = c.req.param('version');
    const token = core.tokens.lookup(c.req.header('x-shopify-access-token'));
    if (!token) return c.json({ errors: INVALID_TOKEN_MESSAGE }, 401);
    const started = Date.now();
    const res = await handleGraphQL(core, {
      version,
      token,
      contentType: c.req.header('content-type') ?? null,
      body: await c.req.text(),
      origin: new URL(c.req.url).origin,
    });
    const cost = (res.body as { extensions?: { cost?: { requestedQueryCost?: number; actualQueryCost?: number | null } } })?.extensions?.cost;
    core.log(`POST ${c.req.path} ${res.status} cost=${cost?.actualQueryCost ?? '-'}/${cost?.requestedQueryCost ?? '-'} ${Date.now() - started}ms${res.dropConnection ? ' (dropped)' : ''}`);
    if (res.dropConnection) return droppedResponse(c);
    const headers: Record<string, string> = { ...res.headers };
    if (res.status !== 404) headers['X-Shopify-API-Version'] = version;
    return c.json(res.body as object, res.status as 200, headers);
  });

  app.post('/admin/oauth/access_token', async (c) => {
    const body = await readJson(c);
    const r = core.tokens.grant(body);
    return c.json(r.body, r.ok ? 200 : (r.status as 400));
  });

  // ---- /__sandbox/: tests, demos, benchmarks (no auth; the sandbox binds to loopback) ----

  app.get('/__sandbox', (c) => c.redirect('/__sandbox/'));
  app.get('/__sandbox/', (c) =>
    c.json({
      shop: core.options.shop,
      endpoints: [
        'GET  /__sandbox/state            dump the whole shop state',
        'POST /__sandbox/reset            back to the seed (shop, locations, publications)',
        'POST /__sandbox/plan             {plan: standard|advanced|plus|enterprise, rateScale?}',
        'GET  /__sandbox/throttle         the bucket now',
        'POST /__sandbox/throttle         {drain: points} spends points as a burst of other calls would',
        'GET  /__sandbox/faults           current fault settings',
        'POST /__sandbox/faults           {errorRate, failNext, errorStatus, latencyMs, latencyJitterMs, dropAfterCommitRate, dropAfterCommitNext} or {reset: true}',
        'POST /__sandbox/tokens           {scopes?: string[], ttlSeconds?: number} mints an access token',
        'POST /__sandbox/index-lag        {ms} search index lag',
        'POST /__sandbox/snapshot         {file?} writes the snapshot file (default: the snapshotFile option)',
        ...[...core.registry.adminRoutes.keys()].map((n) => `POST /__sandbox/${n}`),
      ],
    }),
  );
  app.get('/__sandbox/state', (c) => {
    core.tick();
    return c.json(core.state.toJSON() as object);
  });
  app.post('/__sandbox/reset', (c) => {
    core.reset();
    return c.json({ ok: true });
  });
  app.post('/__sandbox/plan', async (c) => {
    const b = await readJson(c);
    if (!isPlanName(b.plan)) throw new SandboxInputError('plan must be one of standard, advanced, plus, enterprise');
    if (b.rateScale !== undefined && !(typeof b.rateScale === 'number' && b.rateScale > 0)) throw new SandboxInputError('rateScale must be a positive number');
    core.setPlan(b.plan, b.rateScale as number | undefined);
    return c.json({ plan: b.plan, throttleStatus: core.bucket.status() });
  });
  app.get('/__sandbox/throttle', (c) => c.json(core.bucket.status()));
  app.post('/__sandbox/throttle', async (c) => {
    const b = await readJson(c);
    if (typeof b.drain !== 'number' || b.drain < 0) throw new SandboxInputError('drain must be a non-negative number of points');
    core.bucket.drain(b.drain);
    return c.json(core.bucket.status());
  });
  app.get('/__sandbox/faults', (c) => c.json(core.faults.config));
  app.post('/__sandbox/faults', async (c) => {
    const b = await readJson(c);
    if (b.reset === true) {
      core.faults.reset();
      return c.json(core.faults.config);
    }
    try {
      return c.json(core.faults.set(b as never));
    } catch (err) {
      throw new SandboxInputError((err as Error).message);
    }
  });
  app.post('/__sandbox/tokens', async (c) => {
    const b = await readJson(c);
    if (b.scopes !== undefined && !(Array.isArray(b.scopes) && b.scopes.every((s) => typeof s === 'string'))) {
      throw new SandboxInputError('scopes must be an array of strings');
    }
    if (b.ttlSeconds !== undefined && !(typeof b.ttlSeconds === 'number' && b.ttlSeconds > 0)) throw new SandboxInputError('ttlSeconds must be a positive number');
    const t = core.tokens.issue({ scopes: b.scopes as string[] | undefined, ttlSeconds: b.ttlSeconds as number | undefined });
    return c.json({ access_token: t.token, scope: t.scopes.join(','), expires_at: t.expiresAt });
  });
  app.post('/__sandbox/index-lag', async (c) => {
    const b = await readJson(c);
    if (typeof b.ms !== 'number' || b.ms < 0) throw new SandboxInputError('ms must be a non-negative number');
    core.index.setLag(b.ms);
    return c.json({ ms: b.ms });
  });
  app.post('/__sandbox/snapshot', async (c) => {
    const b = await readJson(c);
    if (b.file !== undefined && (typeof b.file !== 'string' || b.file === '')) throw new SandboxInputError('file must be a path');
    if (b.file === undefined && !core.options.snapshotFile) throw new SandboxInputError('no snapshot file: pass {file} or start the sandbox with snapshotFile');
    return c.json({ written: core.saveSnapshot(b.file as string | undefined) });
  });
  app.post('/__sandbox/*', async (c) => {
    const name = c.req.path.slice('/__sandbox/'.length);
    const handler = core.registry.adminRoutes.get(name);
    if (!handler) return c.json({ error: `no sandbox endpoint /__sandbox/${name}; GET /__sandbox/ lists them` }, 404);
    const body = await readJson(c);
    core.tick();
    const out = handler(core, body);
    core.flush();
    return c.json((out ?? { ok: true }) as object);
  });

  // Routes operation modules add (staged-upload targets, bulk result files, ...).
  for (const r of core.registry.httpRoutes) {
    app.on(r.method, r.path, async (c) => {
      core.tick();
      const res = await r.handler(core, c.req.raw);
      core.flush();
      return res;
    });
  }

  app.notFound((c) => c.json({ errors: 'Not Found' }, 404));
  return app;
}
