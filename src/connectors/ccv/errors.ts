import { KoppelError, type ErrorClass } from '../../core/errors.js';

/** CCV's error body: `{status, code: "429.10", developermessage}`. */
export interface CcvErrorBody {
  status?: number;
  code?: string | number;
  developermessage?: string;
}

const HINTS: Record<string, string> = {
  '401': 'check the CCV public and secret key (connections.ccv) and that this machine\'s clock is correct',
  '404.20': 'the API resource does not exist for this shop; check the media type (webshop/salespos) and the shop URL',
  '405.10': 'the CCV API does not allow this method on this resource',
  '429.10': 'Koppel paces requests to CCV\'s limits; this means another client uses the same API key',
  '429.11': 'the shop\'s total API limit was reached; another client may use the same API key',
  '500.60': 'the CCV shop reached its product limit (webshops.product_limit); raise it in CCV or remove products',
  '500.90': 'install the required app in the CCV shop back office',
};

export class CcvApiError extends KoppelError {
  readonly status: number;
  readonly ccvCode: string | undefined;
  readonly developerMessage: string | undefined;
  readonly method: string;
  readonly path: string;

  constructor(init: { status: number; body?: CcvErrorBody; method: string; path: string; errorClass: ErrorClass; message?: string; cause?: unknown }) {
    const ccvCode = init.body?.code === undefined ? undefined : String(init.body.code);
    const dev = init.body?.developermessage;
    super({
      code: ccvCode ? `CCV_${ccvCode}` : `CCV_HTTP_${init.status}`,
      message: init.message ?? `CCV ${init.method} ${init.path} answered ${init.status}${ccvCode ? ` (${ccvCode})` : ''}${dev ? `: ${dev}` : ''}`,
      hint: HINTS[ccvCode ?? ''] ?? HINTS[String(init.status)],
      errorClass: init.errorClass,
      details: { status: init.status, ccvCode, method: init.method, path: init.path },
      cause: init.cause,
    });
    this.status = init.status;
    this.ccvCode = ccvCode;
    this.developerMessage = dev;
    this.method = init.method;
    this.path = init.path;
  }
}

export function classifyStatus(status: number): ErrorClass {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'transient';
  return 'invalid_input';
}
