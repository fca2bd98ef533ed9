/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { FC } from 'hono/jsx';
import { formatDuration, formatTime } from '../../core/format.js';
import type { RunRecord } from '../../engine/runs.js';
import type { ServerStatus } from '../app.js';

const css = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:1040px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:.2rem 0}
section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eef0f3}
.tag{display:inline-block;font-size:.8rem;padding:0 .5rem;border-radius:999px;background:#e8f0fe;color:#1a4fb4}
.off{background:#f1f1f1;color:#666}.sandbox{background:#fff4e0;color:#8a5200}
code{background:#f1f3f6;padding:0 .25rem;border-radius:4px}
.num{text-align:right;font-variant-numeric:tabular-nums}.runs td,.runs th{font-size:.9rem;white-space:nowrap}
.ok{background:#e6f4ea;color:#1e6b34}.warn{background:#fff4e0;color:#8a5200}.bad{background:#fde8e8;color:#a12626}
.muted{color:#667}.err{white-space:normal!important;color:#a12626;font-size:.85rem}
`;

const STATUS_CLASS: Record<string, string> = { succeeded: 'ok', running: '', partial: 'warn', failed: 'bad', abandoned: 'off', cancelled: 'off' };

const RunsTable: FC<{ runs: RunRecord[] }> = ({ runs }) =>
  runs.length === 0 ? (
    <p class="muted">No runs yet.</p>
  ) : (
    <table class="runs">
      <thead>
        <tr>
          <th>started</th><th>flow</th><th>trigger</th><th>status</th><th class="num">took</th>
          <th class="num">created</th><th class="num">updated</th><th class="num">skipped</th><th class="num">quarantined</th><th class="num">failed</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <>
            <tr>
              <td>{formatTime(r.startedAt)}</td>
              <td>{r.flow}{r.dryRun ? ' (dry run)' : ''}</td>
              <td>{r.trigger}</td>
              <td><span class={`tag ${STATUS_CLASS[r.status] ?? ''}`}>{r.status}</span></td>
              <td class="num">{formatDuration(r.durationMs)}</td>
              <td class="num">{r.counts.created}</td>
              <td class="num">{r.counts.updated}</td>
              <td class="num">{r.counts.skipped}</td>
              <td class="num">{r.counts.quarantined}</td>
              <td class="num">{r.counts.failed}</td>
            </tr>
            {r.error ? <tr><td colspan={10} class="err">{r.error.code ? `${r.error.code}: ` : ''}{r.error.message}</td></tr> : null}
          </>
        ))}
      </tbody>
    </table>
  );

export const HomePage: FC<{ status: ServerStatus; runs?: RunRecord[] | undefined }> = ({ status, runs }) => {
  const usesSandbox = status.connections.some((c) => c.sandbox);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Koppel</title>
        {runs ? <meta http-equiv="refresh" content="10" /> : null}
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
          {runs ? (
            <section>
              <h2>Recent runs</h2>
              <RunsTable runs={runs} />
              <p class="muted">Every record of every run, with what changed and the fix for each problem: <code>npx koppel log</code>. This page refreshes every 10 seconds.</p>
            </section>
          ) : null}
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
