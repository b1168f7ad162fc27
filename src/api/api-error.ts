/**
 * The one error type routes throw. `toErrorResponse` in server.ts turns it (and the domain errors)
 * into an HTTP response; nothing else writes error responses.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field that was wrong (query parameter or body property), when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 400 naming the field that was wrong. */
export function badRequest(field: string, message: string): ApiError {
  return new ApiError(400, 'bad_request', `${field}: ${message}`, field);
}
