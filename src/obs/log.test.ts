import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

describe('logger', () => {
  it('writes JSON lines with secrets redacted', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(chunk.toString()); cb(); } });
    const log = createLogger({ destination: sink, pretty: false });
    log.info({ connection: { publicKey: 'pub', secretKey: 'hunter2' }, accessToken: 'shpat_abc', headers: { authorization: 'Bearer x' } }, 'connecting');
    const entry = JSON.parse(lines[0]!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed log line
    expect(entry.msg).toBe('connecting');
    expect(entry.connection.publicKey).toBe('pub');
    expect(entry.connection.secretKey).toBe('[redacted]');
    expect(entry.accessToken).toBe('[redacted]');
    expect(entry.headers.authorization).toBe('[redacted]');
    expect(lines.join('')).not.toMatch(/hunter2|shpat_abc/);
  });
});
