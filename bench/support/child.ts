/**
 * Runs a part of a benchmark in its own Node process: a sandbox (so its CPU work does not stall the
 * measured process) or one Koppel run (so its peak RSS is its own). The parent talks to the child
 * over the IPC channel: `call(op, args)` → the role's handler → the answer.
 *
 *   const ccv = await startRole<CcvInfo>('ccv-sandbox', { products: 10_000 });
 *   await ccv.call('patchProducts', { ids, fields });
 *   await ccv.close();
 *
 * The same file is the child's entry point: started with KOPPEL_BENCH_ROLE (and the spec as JSON in
 * KOPPEL_BENCH_SPEC), it loads `roles/<role>.ts`, calls its `start(spec)` and serves its ops until `close`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

/** What a role module exports. */
export interface Role<Spec, Info> {
  start(spec: Spec): Promise<{ info: Info; ops: Record<string, (args: never) => unknown>; close(): Promise<void> }>;
}

export interface RoleProcess<Info> {
  readonly info: Info;
  readonly child: ChildProcess;
  call<T = unknown>(op: string, args?: unknown): Promise<T>;
  /** Asks the role to close and waits for the process to exit. */
  close(): Promise<void>;
  /** SIGKILL, no goodbye. */
  kill(): Promise<void>;
}

type Message = { ready: unknown } | { failed: string } | { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

const SELF = fileURLToPath(import.meta.url);

export async function startRole<Info>(role: string, spec: unknown, opts: { execArgv?: string[]; env?: Record<string, string> } = {}): Promise<RoleProcess<Info>> {
  const child = fork(SELF, [], {
    execArgv: ['--import', 'tsx', ...(opts.execArgv ?? [])],
    env: { ...process.env, ...opts.env, KOPPEL_BENCH_ROLE: role, KOPPEL_BENCH_SPEC: JSON.stringify(spec ?? null) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let seq = 0;
  let exitedWith: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedWith = `the ${role} process exited (${signal ?? code})`;
      for (const p of pending.values()) p.reject(new Error(exitedWith));
      pending.clear();
      resolve();
    }),
  );
  const info = await new Promise<Info>((resolve, reject) => {
    child.on('message', (m: Message) => {
      if ('ready' in m) resolve(m.ready as Info);
      else if ('failed' in m) reject(new Error(`${role}: ${m.failed}`));
      else {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(`${role}: ${m.error}`));
      }
    });
    void exited.then(() => reject(new Error(exitedWith)));
  });
  return {
    info,
    child,
    call<T>(op: string, args?: unknown): Promise<T> {
      if (exitedWith) return Promise.reject(new Error(exitedWith));
      const id = ++seq;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args });
      });
    },
    async close() {
      if (exitedWith) return;
      child.send({ close: true });
      await exited;
    },
    async kill() {
      if (exitedWith) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

if (process.env.KOPPEL_BENCH_ROLE && process.argv[1] === SELF) {
  const role = process.env.KOPPEL_BENCH_ROLE;
  const spec: unknown = JSON.parse(process.env.KOPPEL_BENCH_SPEC ?? 'null');
  const send = (m: Message) => process.send?.(m);
  try {
    const mod = (await import(pathToFileURL(join(dirname(SELF), 'roles', `${role}.ts`)).href)) as Role<unknown, unknown>;
    const running = await mod.start(spec);
    let closing = false;
    const close = async () => {
      if (closing) return;
      closing = true;
      await running.close().catch((e: unknown) => process.stderr.write(`${role}: close failed: ${String(e)}\n`));
      process.exit(0);
    };
    process.on('message', (m: { id?: number; op?: string; args?: unknown; close?: boolean }) => {
      if (m.close) return void close();
      if (m.id === undefined || m.op === undefined) return;
      const id = m.id;
      const handler = running.ops[m.op];
      if (!handler) return send({ id, ok: false, error: `unknown op ${m.op}; known: ${Object.keys(running.ops).join(', ')}` });
      Promise.resolve()
        .then(() => handler(m.args as never))
        .then(
          (result) => send({ id, ok: true, result }),
          (e: unknown) => send({ id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
        );
    });
    // The parent went away (crashed or killed): do not linger.
    process.on('disconnect', () => void close());
    send({ ready: running.info });
  } catch (e) {
    send({ failed: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exit(1);
  }
}
