/**
 * Typed errors. Every error Koppel reports carries a stable code, the record it concerns (if any)
 * and a fix hint a shop owner can act on.
 */
export type ErrorClass = 'transient' | 'throttled' | 'permanent' | 'auth' | 'not_found' | 'invalid_input' | 'outcome_unknown';

export interface KoppelErrorInit {
  code: string;
  message: string;
  hint?: string;
  record?: string;
  errorClass?: ErrorClass;
  cause?: unknown;
}

export class KoppelError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly record: string | undefined;
  readonly errorClass: ErrorClass;

  constructor(init: KoppelErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'KoppelError';
    this.code = init.code;
    this.hint = init.hint;
    this.record = init.record;
    this.errorClass = init.errorClass ?? 'permanent';
  }

  /** One line for a terminal: message, then the fix. */
  describe(): string {
    return this.hint ? `${this.message}\n  fix: ${this.hint}` : this.message;
  }
}

export function isKoppelError(e: unknown): e is KoppelError {
  return e instanceof KoppelError;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
