/**
 * Puts the flows on the job runtime: every process that works jobs defines all flow jobs, and the
 * schedules follow the configuration (a flow switched off loses its schedules).
 */
import type { JobRuntime } from '../engine/runtime/port.js';
import type { FlowEnv } from './env.js';
import { FLOW_MODULES } from './index.js';

export async function installFlows(runtime: JobRuntime, env: FlowEnv): Promise<{ scheduled: string[]; removed: string[] }> {
  const modules = Object.values(FLOW_MODULES);
  for (const m of modules) m.define(runtime, env);
  const wanted = modules.flatMap((m) => m.schedules(env));
  for (const spec of wanted) await runtime.schedule(spec);
  const names = new Set(wanted.map((s) => s.name));
  const prefixes = modules.map((m) => `${m.name}.`);
  const removed: string[] = [];
  for (const s of await runtime.listSchedules()) {
    if (!names.has(s.name) && prefixes.some((p) => s.name.startsWith(p))) {
      await runtime.unschedule(s.name);
      removed.push(s.name);
    }
  }
  return { scheduled: [...names], removed };
}
