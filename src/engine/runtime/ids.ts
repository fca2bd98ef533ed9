import { createHash, randomUUID } from 'node:crypto';

export function newJobId(): string {
  return randomUUID();
}

/**
 * A deterministic job id (UUID form) from parts such as a webhook delivery: enqueueing twice with
 * it is a no-op. Name-based like UUID v5, but on SHA-256.
 */
export function jobIdFrom(...parts: string[]): string {
  const h = createHash('sha256').update(parts.map((p) => `${p.length}:${p}`).join('|')).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
