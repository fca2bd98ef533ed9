import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish, then closes idle sockets. */
  close(): Promise<void>;
}

/** Serves a Hono app on host:port (port 0 picks a free one). */
export function listen(app: Hono, opts: { host: string; port: number }): Promise<RunningServer> {
  return new Promise((resolvePromise, reject) => {
    const onError = (e: Error) => reject(e);
    const server = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port }, (info) => {
      server.off('error', onError);
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolvePromise({
        url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            const s = server as Server;
            s.close(() => done());
            s.closeIdleConnections?.();
            // Requests still running after 3 s are cut so shutdown stays within its 5 s budget.
            setTimeout(() => s.closeAllConnections?.(), 3000).unref();
          }),
      });
    });
    server.once('error', onError);
  });
}
