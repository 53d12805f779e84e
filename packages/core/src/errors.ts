/**
 * A mistake in what the user gave us (manifest, data, flag). The CLI prints `message` and `hint`
 * without a stack trace and exits with `exitCode`; anything else is a bug and keeps its stack.
 */
export class PolymodalError extends Error {
  override readonly name = 'PolymodalError';
  constructor(
    message: string,
    readonly details: {
      /** What to do about it. */
      hint?: string;
      /** Further problems of the same kind, one line each (e.g. every manifest error). */
      problems?: readonly string[];
      exitCode?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get exitCode(): number {
    return this.details.exitCode ?? 1;
  }

  /** The full text a person should read: message, each problem, then the hint. */
  describe(): string {
    const lines = [this.message];
    for (const problem of this.details.problems ?? []) lines.push(`  - ${problem}`);
    if (this.details.hint) lines.push(this.details.hint);
    return lines.join('\n');
  }
}

export function isPolymodalError(error: unknown): error is PolymodalError {
  return error instanceof PolymodalError;
}
