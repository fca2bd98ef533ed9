/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { FC } from 'hono/jsx';
import type { ServerStatus } from '../app.js';

const css = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:860px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:.2rem 0}
section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eef0f3}
.tag{display:inline-block;font-size:.8rem;padding:0 .5rem;border-radius:999px;background:#e8f0fe;color:#1a4fb4}
.off{background:#f1f1f1;color:#666}.sandbox{background:#fff4e0;color:#8a5200}
code{background:#f1f3f6;padding:0 .25rem;border-radius:4px}
`;

export const HomePage: FC<{ status: ServerStatus }> = ({ status }) => {
  const usesSandbox = status.connections.some((c) => c.sandbox);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Koppel</title>
        <style>{css}</style>
      </head>
      <body>
        <main>
          <h1>Koppel <small class="tag">v{status.version}</small></h1>
          <p>Keeps a CCV SalesPOS till and a Shopify store in step.</p>
          {usesSandbox ? (
            <p class="tag sandbox">Demo mode: connections without credentials point at the built-in sandboxes.</p>
          ) : null}
          <section>
            <h2>Connections</h2>
            <table>
              <tbody>
                {status.connections.map((c) => (
                  <tr>
                    <th>{c.label}</th>
                    <td><code>{c.target}</code></td>
                    <td>{c.sandbox ? <span class="tag sandbox">sandbox</span> : <span class="tag">live</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section>
            <h2>Flows</h2>
            <table>
              <tbody>
                {Object.entries(status.flows).map(([name, on]) => (
                  <tr>
                    <th>{name}</th>
                    <td>{on ? <span class="tag">enabled</span> : <span class="tag off">disabled</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section>
            <h2>This process</h2>
            <table>
              <tbody>
                <tr><th>Database</th><td><code>{status.database}</code> ({status.dialect})</td></tr>
                {status.services.map((s) => (
                  <tr><th>{s.name}</th><td>{s.url ? <code>{s.url}</code> : null} {s.note ?? ''}</td></tr>
                ))}
                <tr><th>Health</th><td><a href="/healthz"><code>/healthz</code></a></td></tr>
              </tbody>
            </table>
          </section>
        </main>
      </body>
    </html>
  );
};
