/**
 * Progress of a long run: a bar on a terminal, counts with rate and ETA every few seconds in the
 * logs, and JSON lines on stderr for `--json` (stdout stays the final report).
 */
import cliProgress from 'cli-progress';
import type { ActivityAction } from '../engine/activity.js';
import type { ProgressSink } from '../flows/run.js';
import type { Logger } from '../obs/log.js';

type Counts = Readonly<Record<ActivityAction, number>>;
const fmt = (c: Counts) => `created ${c.created}, updated ${c.updated}, skipped ${c.skipped}, quarantined ${c.quarantined}, failed ${c.failed}`;

function eta(done: number, total: number | undefined, startedAt: number): { rate: number; etaSeconds: number | null } {
  const elapsed = Math.max(0.001, (Date.now() - startedAt) / 1000);
  const rate = done / elapsed;
  return { rate, etaSeconds: total !== undefined && rate > 0 ? Math.max(0, Math.round((total - done) / rate)) : null };
}

export function terminalProgress(): ProgressSink {
  const bar = new cliProgress.SingleBar({ format: ' {label} [{bar}] {value}{totalText} | {counts} | {rate}/s{etaText}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  let started = 0;
  let total: number | undefined;
  let label = '';
  return {
    start(t, l) {
      started = Date.now();
      total = t;
      label = l;
      bar.start(t ?? 0, 0, { label, totalText: t === undefined ? '' : `/${t}`, counts: '', rate: '0', etaText: '' });
    },
    update(done, counts) {
      if (!started) this.start(undefined, 'records');
      const e = eta(done, total, started);
      if (total === undefined) bar.setTotal(done + 1);
      bar.update(done, { label, counts: fmt(counts), rate: e.rate.toFixed(1), etaText: e.etaSeconds === null ? '' : ` | ETA ${e.etaSeconds}s`, totalText: total === undefined ? '' : `/${total}` });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Every `everyMs`: one log line (or one JSON line on stderr) with counts, rate and ETA. */
export function periodicProgress(out: { logger?: Logger; jsonLine?: (o: unknown) => void }, everyMs = 5000): ProgressSink {
  let started = 0;
  let last = 0;
  let total: number | undefined;
  let label = '';
  let latest: { done: number; counts: Counts } | undefined;
  const emit = () => {
    if (!latest) return;
    const e = eta(latest.done, total, started);
    const data = { progress: label, done: latest.done, total: total ?? null, ratePerSecond: Number(e.rate.toFixed(2)), etaSeconds: e.etaSeconds, counts: latest.counts };
    if (out.jsonLine) out.jsonLine(data);
    else out.logger?.info(data, `${label}: ${latest.done}${total === undefined ? '' : `/${total}`} (${fmt(latest.counts)}), ${e.rate.toFixed(1)}/s${e.etaSeconds === null ? '' : `, ETA ${e.etaSeconds}s`}`);
  };
  return {
    start(t, l) {
      started = Date.now();
      total = t;
      label = l;
    },
    update(done, counts) {
      if (!started) this.start(undefined, 'records');
      latest = { done, counts };
      if (Date.now() - last >= everyMs) {
        last = Date.now();
        emit();
      }
    },
    stop() {
      emit();
    },
  };
}
