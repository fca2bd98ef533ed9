import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from './loader.js';
import { configJsonSchema } from './schema.js';
import { configTemplate } from './template.js';

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfig(text, { file: 'koppel.yaml', env });
const problemsOf = (text: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(text, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected the config to be rejected');
};

describe('config loader', () => {
  it('runs on defaults without a file', () => {
    const { config } = parse('');
    expect(config.server.port).toBe(8080);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe('./data');
    expect(config.connections).toEqual({});
    expect(config.flows.stock.enabled).toBe(false);
  });

  it('names the path, the expectation and the actual value', () => {
    const problems = problemsOf('flows:\n  stock:\n    location: 42\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'flows.stock.location', message: 'expected a location name, got 42', line: 3, col: 15 });
  });

  it('rejects unknown keys and suggests the closest known one', () => {
    const [p] = problemsOf('server:\n  prot: 8080\n');
    expect(p?.path).toBe('server.prot');
    expect(p?.message).toContain('did you mean "port"?');
    expect(p?.line).toBe(2);
  });

  it('reports invalid YAML with line and column', () => {
    const [p] = problemsOf('server:\n  port: [1,\n host: x\n');
    expect(p?.message).toMatch(/^invalid YAML/);
    expect(p?.line).toBeGreaterThanOrEqual(2);
    expect(p?.col).toBeGreaterThanOrEqual(1);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf('server:\n  port: "x"\n  hots: a\nlog:\n  level: loud\n');
    expect(problems.map((p) => p.path).sort()).toEqual(['log.level', 'server.hots', 'server.port']);
    expect(problems.find((p) => p.path === 'log.level')?.message).toContain('got "loud"');
  });

  it('interpolates ${env:NAME} and reports unset variables by path', () => {
    const text = 'database:\n  url: postgres://k:${env:DBPW}@h/db\n';
    expect(parse(text, { DBPW: 'pw' }).config.database.url).toBe('postgres://k:pw@h/db');
    const [p] = problemsOf(text);
    expect(p).toMatchObject({ path: 'database.url', message: 'environment variable DBPW is not set', line: 2 });
  });

  it('refuses a secret written literally in the file', () => {
    const text = 'connections:\n  ccv:\n    baseUrl: https://shop.example.nl\n    publicKey: pub\n    secretKey: hunter2\n';
    const [p] = problemsOf(text);
    expect(p?.path).toBe('connections.ccv.secretKey');
    expect(p?.message).toContain('${env:NAME}');
    const ok = parse(text.replace('hunter2', '${env:CCV_SECRET}'), { CCV_SECRET: 'hunter2' });
    expect(ok.config.connections.ccv?.secretKey).toBe('hunter2');
    expect(ok.config.connections.ccv?.mediaType).toBe('salespos');
  });

  it('needs a Shopify token or client credentials', () => {
    const [p] = problemsOf('connections:\n  shopify:\n    shop: demo.myshopify.com\n');
    expect(p?.path).toBe('connections.shopify');
    expect(p?.message).toContain('accessToken');
  });

  it('applies PORT, KOPPEL_DATABASE_URL and KOPPEL_DATA_DIR over the file', () => {
    const { config, fromEnv } = parse('server:\n  port: 9000\n', { PORT: '9100', KOPPEL_DATABASE_URL: 'postgres://x@h/d', KOPPEL_DATA_DIR: '/var/koppel' });
    expect(config.server.port).toBe(9100);
    expect(config.database.url).toBe('postgres://x@h/d');
    expect(config.dataDir).toBe('/var/koppel');
    expect(fromEnv).toEqual(['dataDir', 'database.url', 'server.port']);
  });

  it('names the environment variable when an override is invalid', () => {
    const [p] = problemsOf('', { PORT: 'eighty' });
    expect(p).toMatchObject({ path: 'server.port (from PORT)' });
    expect(p?.message).toContain('got "eighty"');
  });

  describe('files', () => {
    let dir: string;
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reads --config, then KOPPEL_CONFIG, and fails clearly on a missing file', () => {
      dir = mkdtempSync(join(tmpdir(), 'koppel-cfg-'));
      writeFileSync(join(dir, 'a.yaml'), 'server:\n  port: 1234\n');
      expect(loadConfig({ path: 'a.yaml', cwd: dir, env: {} }).config.server.port).toBe(1234);
      expect(loadConfig({ cwd: dir, env: { KOPPEL_CONFIG: 'a.yaml' } }).file).toBe(join(dir, 'a.yaml'));
      expect(loadConfig({ cwd: dir, env: {} }).file).toBeNull();
      expect(() => loadConfig({ path: 'missing.yaml', cwd: dir, env: {} })).toThrow(/file not found/);
    });
  });
});

describe('config template and JSON Schema', () => {
  it('the koppel init template validates as written', () => {
    const { config } = parse(configTemplate('./schema/koppel.schema.json'));
    expect(config.server.port).toBe(8080);
  });

  it('schema/koppel.schema.json is up to date (run npm run gen:schema)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../schema/koppel.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(configJsonSchema());
  });

  it('the JSON Schema forbids unknown keys and marks secrets', () => {
    const s = configJsonSchema() as { additionalProperties: boolean; properties: Record<string, any> } // eslint-disable-line @typescript-eslint/no-explicit-any -- walking generated JSON;
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.connections.properties.ccv.properties.secretKey.secret).toBe(true);
  });
});
