/**
 * A problem setting up or loading the native backend that the user can fix: what is missing and what to do.
 * This package knows tfjs only (not core), so callers turn it into their own error type (the CLI: PolymodalError).
 */
export class NativeBackendError extends Error {
  override readonly name = 'NativeBackendError';

  constructor(
    message: string,
    /** What to do about it. */
    readonly hint: string,
    /** 2: a usage or environment problem the user fixes (every setup failure). */
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export function isNativeBackendError(error: unknown): error is NativeBackendError {
  return error instanceof NativeBackendError;
}
