/**
 * Typed errors. Every error Koppel reports carries a stable code, the record it concerns (if any)
 * and a fix hint a shop owner can act on.
 *
 * Codes for data problems are catalogued in `codes.ts` (build them with `koppelError(code, details)`);
 * infrastructure modules may still construct a `KoppelError` with their own code directly.
 */
export type ErrorClass = 'transient' | 'throttled' | 'permanent' | 'auth' | 'not_found' | 'invalid_input' | 'outcome_unknown';

export interface KoppelErrorInit {
  code: string;
  message: string;
  hint?: string;
  record?: string;
  /** Path of the field inside the record, e.g. `variants[2].sku`. */
  field?: string;
  /** Structured, serialisable facts behind the message (never raw personal data). */
  details?: Readonly<Record<string, unknown>>;
  errorClass?: ErrorClass;
  cause?: unknown;
}

/** The JSON form of a KoppelError, as stored in the activity journal or returned by the API. */
export interface KoppelErrorJson {
  name: 'KoppelError';
  code: string;
  message: string;
  hint?: string;
  record?: string;
  field?: string;
  errorClass: ErrorClass;
  details?: Readonly<Record<string, unknown>>;
}

export class KoppelError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly record: string | undefined;
  readonly field: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly errorClass: ErrorClass;

  constructor(init: KoppelErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'KoppelError';
    this.code = init.code;
    this.hint = init.hint;
    this.record = init.record;
    this.field = init.field;
    this.details = init.details;
    this.errorClass = init.errorClass ?? 'permanent';
  }

  /** One line for a terminal: message, then the fix. */
  describe(): string {
    return this.hint ? `${this.message}\n  fix: ${this.hint}` : this.message;
  }

  toJSON(): KoppelErrorJson {
    const out: KoppelErrorJson = { name: 'KoppelError', code: this.code, message: this.message, errorClass: this.errorClass };
    if (this.hint !== undefined) out.hint = this.hint;
    if (this.record !== undefined) out.record = this.record;
    if (this.field !== undefined) out.field = this.field;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }
}

export function isKoppelError(e: unknown): e is KoppelError {
  return e instanceof KoppelError;
}

/** True when `e` is a KoppelError with the given code. */
export function hasErrorCode(e: unknown, code: string): e is KoppelError {
  return e instanceof KoppelError && e.code === code;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
