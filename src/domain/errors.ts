/**
 * Named errors. They carry what was wrong and where; `cli/` turns them into exit codes and
 * `api/` into HTTP statuses, nowhere else.
 */
export class SurveillanceError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The user asked for something invalid (bad flag, bad config). */
export class UsageError extends SurveillanceError {
  override readonly exitCode = 2;
}

/** Input data was malformed where no recovery is allowed (e.g. --strict). */
export class InputError extends SurveillanceError {
  override readonly exitCode = 3;
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A requested thing does not exist (alert id, monitor). */
export class NotFoundError extends SurveillanceError {
  override readonly exitCode = 4;
}

/** The action conflicts with current state (a monitor already runs). */
export class ConflictError extends SurveillanceError {
  override readonly exitCode = 5;
}
