/**
 * API errors. Body shape per reference §4: `{status, code, developermessage}` with `code` a string.
 * Codes marked (sandbox) are not documented upstream and were chosen here; the others come from the SDK's map.
 */
export const CODES = {
  badRequest: '400.10', // (sandbox) body does not match the schema; the message names the field
  badParam: '400.20', // (sandbox) query parameter invalid or unknown; the message names the parameter
  badJson: '400.30', // (sandbox) body is not valid JSON
  authMissing: '401.10', // (sandbox) x-public / x-date / x-hash header missing
  authPublic: '401.20', // (sandbox) unknown x-public
  authDate: '401.30', // (sandbox) x-date malformed or outside the allowed window
  authHash: '401.40', // (sandbox) x-hash does not match
  notFound: '404.10', // (sandbox) no record with that id
  invalidResource: '404.20',
  methodNotAllowed: '405.10',
  conflict: '409.10', // (sandbox) e.g. username already taken
  resourceLimit: '429.10',
  globalLimit: '429.11',
  internal: '500.10',
  propertyExists: '500.40',
  productLimit: '500.60',
  methodNotAllowedOnResource: '500.70',
  payloadTooBig: '500.80',
  readOnly: '501.30',
} as const;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): { status: number; code: string; developermessage: string } {
    return { status: this.status, code: this.code, developermessage: this.message };
  }
}

export const badField = (field: string, problem: string): ApiError =>
  new ApiError(400, CODES.badRequest, `Property '${field}' ${problem}`);
export const badParam = (param: string, problem: string): ApiError =>
  new ApiError(400, CODES.badParam, `Query parameter '${param}' ${problem}`);
export const notFound = (resource: string, id: number): ApiError =>
  new ApiError(404, CODES.notFound, `No ${resource} with id ${id}`);
