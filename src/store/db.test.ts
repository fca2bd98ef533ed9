import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { KoppelError } from '../core/errors.js';
import { openStore } from './db.js';
import { redactUrl } from './url.js';

describe('openStore', () => {
  it('names an unreachable PostgreSQL URL without its password', async () => {
    const url = 'postgres://koppel:s3cret-pw@127.0.0.1:1/koppel';
    const err = await openStore({ url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KoppelError);
    const k = err as KoppelError;
    expect(k.code).toBe('DATABASE_UNREACHABLE');
    expect(k.message).toContain('postgres://koppel:***@127.0.0.1:1/koppel');
    expect(k.message).not.toContain('s3cret-pw');
    expect(k.hint).toMatch(/KOPPEL_DATABASE_URL/);
  });

  it('creates the SQLite file and its directory, in WAL mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koppel-db-'));
    try {
      const store = await openStore({ url: join(dir, 'nested', 'koppel.db') });
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      await store.close();
      expect(store.dialect).toBe('sqlite');
      expect(mode.rows[0]?.journal_mode).toBe('wal');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('masks only the password in a URL', () => {
    expect(redactUrl('postgres://u:p@h:5432/d?sslmode=require')).toBe('postgres://u:***@h:5432/d?sslmode=require');
    expect(redactUrl('./data/koppel.db')).toBe('./data/koppel.db');
  });
});
