/**
 * Loads koppel.yaml: parse (line and column on syntax errors), interpolate `${env:NAME}`,
 * apply environment overrides, validate with zod, and report every problem at once with its
 * path, expected and actual value.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { KoppelError } from '../core/errors.js';
import { ConfigSchema, type KoppelConfig } from './schema.js';

export interface ConfigProblem {
  /** Dotted path in the config, e.g. `flows.stock.location`, or the environment variable. */
  path: string;
  message: string;
  line?: number;
  col?: number;
}

export class ConfigError extends KoppelError {
  readonly problems: ConfigProblem[];
  readonly file: string | null;
  constructor(file: string | null, problems: ConfigProblem[]) {
    super({
      code: 'CONFIG_INVALID',
      message: `${file ?? 'configuration'}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((p) => '  ' + formatProblem(file, p)).join('\n'),
      hint: 'correct the values above (koppel doctor lists them again), then retry',
      errorClass: 'invalid_input',
    });
    this.problems = problems;
    this.file = file;
  }
}

export function formatProblem(file: string | null, p: ConfigProblem): string {
  const where = p.line !== undefined ? `${file ?? 'koppel.yaml'}:${p.line}:${p.col ?? 1} ` : '';
  return `${where}${p.path ? p.path + ': ' : ''}${p.message}`;
}

export interface LoadedConfig {
  config: KoppelConfig;
  /** Absolute path of the file read, or null when running on defaults. */
  file: string | null;
  /** Top-level config paths whose value came from the environment (for `doctor`). */
  fromEnv: string[];
}

export interface LoadOptions {
  /** Explicit path (--config); falls back to KOPPEL_CONFIG, then ./koppel.yaml if it exists. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function resolveConfigPath(opts: LoadOptions = {}): { path: string | null; explicit: boolean } {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const given = opts.path ?? env.KOPPEL_CONFIG;
  if (given) return { path: resolve(cwd, given), explicit: true };
  const def = resolve(cwd, 'koppel.yaml');
  return { path: existsSync(def) ? def : null, explicit: false };
}

/** Loads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const { path } = resolveConfigPath(opts);
  if (path && !existsSync(path)) {
    throw new ConfigError(path, [{ path: '', message: `file not found: ${path}. Run "koppel init" to write one, or leave out --config/KOPPEL_CONFIG to run on defaults` }]);
  }
  const text = path ? readFileSync(path, 'utf8') : '';
  return parseConfig(text, { file: path, env: opts.env ?? process.env });
}

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_ENV_REF = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/;

/** Environment variables that override config values (applied after the file). */
export const ENV_OVERRIDES: ReadonlyArray<{ name: string; path: string[] }> = [
  { name: 'PORT', path: ['server', 'port'] },
  { name: 'KOPPEL_DATABASE_URL', path: ['database', 'url'] },
  { name: 'KOPPEL_DATA_DIR', path: ['dataDir'] },
];

export function parseConfig(text: string, opts: { file: string | null; env: NodeJS.ProcessEnv }): LoadedConfig {
  const problems: ConfigProblem[] = [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  for (const err of doc.errors) {
    const pos = lineCounter.linePos(err.pos[0]);
    problems.push({ path: '', message: `invalid YAML: ${err.message.split('\n')[0]}`, line: pos?.line, col: pos?.col });
  }
  if (problems.length) throw new ConfigError(opts.file, problems);

  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(opts.file, [{ path: '', message: `expected a mapping of settings at the top level, got ${describeValue(raw)}` }]);
  }
  const locate = (path: PropertyKey[], key?: string) => locateNode(doc, lineCounter, path, key);

  // 1. Secrets must be written as ${env:NAME}: check the raw values before interpolation.
  for (const secretPath of secretPaths(ConfigSchema)) {
    const value = getIn(raw, secretPath);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !WHOLE_ENV_REF.test(value.trim())) {
      problems.push({ path: secretPath.join('.'), message: 'secrets must not be written in the file: use ${env:NAME} and set NAME in the environment', ...locate(secretPath) });
    }
  }

  // 2. Interpolate ${env:NAME} everywhere.
  const fromEnv = new Set<string>();
  const interpolated = mapStrings(raw, [], (s, path) => {
    if (!s.includes('${env:')) return s;
    fromEnv.add(path.join('.'));
    return s.replace(ENV_REF, (_m, name: string) => {
      const v = opts.env[name];
      if (v === undefined) {
        problems.push({ path: path.join('.'), message: `environment variable ${name} is not set`, ...locate(path) });
        return '';
      }
      return v;
    });
  }) as Record<string, unknown>;

  // 3. Environment overrides.
  const overridden = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const v = opts.env[o.name];
    if (v === undefined || v === '') continue;
    setIn(interpolated, o.path, v);
    overridden.set(o.path.join('.'), o.name);
    fromEnv.add(o.path.join('.'));
  }

  // 4. Validate.
  const parsed = ConfigSchema.safeParse(interpolated, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      for (const p of describeIssue(issue)) {
        const envName = overridden.get(p.path.join('.'));
        problems.push({
          path: envName ? `${p.path.join('.')} (from ${envName})` : p.path.join('.'),
          message: p.message,
          ...(envName ? {} : locate(p.path, p.key)),
        });
      }
    }
  }
  if (problems.length) throw new ConfigError(opts.file, dedupe(problems));
  return { config: parsed.data as KoppelConfig, file: opts.file, fromEnv: [...fromEnv].sort() };
}

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue): Array<{ path: PropertyKey[]; key?: string; message: string }> {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => {
      const known = knownKeysAt(ConfigSchema, path.map(String));
      const suggestion = closest(k, known);
      return {
        path: [...path, k],
        key: k,
        message: `unknown setting${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; known here: ${known.join(', ') || 'none'}`,
      };
    });
  }
  const input = (issue as { input?: unknown }).input;
  const got = `got ${describeValue(input)}`;
  let message = issue.message;
  const isDefaultText = /^(Invalid|Too (small|big))/.test(message);
  if (issue.code === 'invalid_type') {
    if (input === undefined) message = isDefaultText ? `required setting is missing (expected ${article(issue.expected)})` : `required setting is missing (${message})`;
    else message = isDefaultText ? `expected ${article(issue.expected)}, ${got}` : `${message}, ${got}`;
  } else if (issue.code === 'invalid_value') {
    message = isDefaultText ? `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, ${got}` : `${message}, ${got}`;
  } else if (issue.code === 'too_small' || issue.code === 'too_big') {
    const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : (issue.inclusive ? '<=' : '<');
    const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
    message = isDefaultText ? `expected a value ${op} ${String(bound)}, ${got}` : (message.includes('got') ? message : `${message}, ${got}`);
  } else if (!message.includes('got') && input !== undefined && issue.code !== 'custom') {
    message = `${message}, ${got}`;
  }
  return [{ path, message }];
}

function article(t: string): string {
  if (t === 'object') return 'a mapping';
  if (t === 'array') return 'a list';
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

function dedupe(ps: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function locateNode(doc: Document, lc: LineCounter, path: PropertyKey[], key?: string): { line?: number; col?: number } {
  try {
    const parentPath = key !== undefined ? path.slice(0, -1) : path;
    let node = parentPath.length ? doc.getIn(parentPath as unknown[], true) : doc.contents;
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      node = (pair?.key ?? node) as typeof node;
    }
    // Missing leaf: point at the closest existing parent.
    let trimmed = parentPath;
    while ((node === undefined || node === null) && trimmed.length) {
      trimmed = trimmed.slice(0, -1);
      node = trimmed.length ? doc.getIn(trimmed as unknown[], true) : doc.contents;
    }
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return {};
    return lc.linePos(range[0]);
  } catch {
    return {};
  }
}

function mapStrings(v: unknown, path: string[], f: (s: string, path: string[]) => string): unknown {
  if (typeof v === 'string') return f(v, path);
  if (Array.isArray(v)) return v.map((x, i) => mapStrings(x, [...path, String(i)], f));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, [...path, k], f)]));
  }
  return v;
}

function getIn(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function setIn(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (!next || typeof next !== 'object' || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

// ---- walking the zod schema (secret fields, known keys) ----

type AnySchema = z.ZodType;

function unwrap(s: AnySchema): AnySchema {
  let cur = s as AnySchema & { _zod: { def: { type: string; innerType?: AnySchema; in?: AnySchema } } };
  for (let i = 0; i < 10; i++) {
    const def = cur._zod.def;
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) cur = def.innerType as typeof cur;
    else if (def.type === 'pipe' && def.in) cur = def.in as typeof cur;
    else break;
  }
  return cur;
}

function shapeOf(s: AnySchema): Record<string, AnySchema> | null {
  const u = unwrap(s) as AnySchema & { _zod: { def: { type: string; shape?: Record<string, AnySchema> } } };
  return u._zod.def.type === 'object' && u._zod.def.shape ? u._zod.def.shape : null;
}

function isSecret(s: AnySchema): boolean {
  let cur: AnySchema | undefined = s;
  for (let i = 0; cur && i < 10; i++) {
    if ((z.globalRegistry.get(cur) as { secret?: boolean } | undefined)?.secret) return true;
    const def: { innerType?: AnySchema } = (cur as unknown as { _zod: { def: { innerType?: AnySchema } } })._zod.def;
    cur = def.innerType;
  }
  return false;
}

export function secretPaths(schema: AnySchema, prefix: string[] = []): string[][] {
  const shape = shapeOf(schema);
  if (!shape) return isSecret(schema) ? [prefix] : [];
  return Object.entries(shape).flatMap(([k, child]) => secretPaths(child, [...prefix, k]));
}

function knownKeysAt(schema: AnySchema, path: string[]): string[] {
  let cur: AnySchema | null = schema;
  for (const k of path) {
    const shape: Record<string, AnySchema> | null = cur ? shapeOf(cur) : null;
    cur = shape?.[k] ?? null;
  }
  const shape = cur ? shapeOf(cur) : null;
  return shape ? Object.keys(shape) : [];
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
