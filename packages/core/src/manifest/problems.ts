import { PolymodalError } from '../errors.js';

export const POINTER_HINT = 'Each line starts with the JSON pointer of the offending value. The schema is @polymodal/core/schema/manifest.v1.json.';

/** Exit code of a problem: 2 for the manifest (what the user wrote), 1 for the data it points at. */
export type ProblemExitCode = 1 | 2;

interface Problem {
  readonly line: string;
  readonly exitCode: ProblemExitCode;
}

/**
 * Every problem a manifest and its data have, gathered from each check so `validate` can report them all at
 * once. Becomes one PolymodalError: exit 2 when any problem is in the manifest, 1 when only the data is bad.
 */
export class ProblemList {
  private readonly problems: Problem[] = [];
  private readonly hints: string[] = [];

  get size(): number {
    return this.problems.length;
  }

  lines(): string[] {
    return this.problems.map((problem) => problem.line);
  }

  add(line: string, exitCode: ProblemExitCode = 2): void {
    if (!this.problems.some((problem) => problem.line === line)) this.problems.push({ line, exitCode });
  }

  addAll(lines: readonly string[], exitCode: ProblemExitCode = 2): void {
    for (const line of lines) this.add(line, exitCode);
  }

  hint(text: string | undefined): void {
    if (text && !this.hints.includes(text)) this.hints.push(text);
  }

  /** A user error from a check that throws: its problems (or its message) become lines, its hint is kept. */
  addError(error: PolymodalError): void {
    const exitCode: ProblemExitCode = error.exitCode === 1 ? 1 : 2;
    const own = error.details.problems ?? [];
    if (own.length > 0) this.addAll(own, exitCode);
    else this.add(error.message, exitCode);
    this.hint(error.details.hint);
  }

  /** Runs a check that throws PolymodalError on a user mistake, keeping its complaint and going on. */
  capture<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof PolymodalError)) throw error;
      this.addError(error);
      return undefined;
    }
  }

  async captureAsync<T>(check: () => Promise<T>): Promise<T | undefined> {
    try {
      return await check();
    } catch (error) {
      if (!(error instanceof PolymodalError)) throw error;
      this.addError(error);
      return undefined;
    }
  }

  toError(source: string): PolymodalError | undefined {
    if (this.problems.length === 0) return undefined;
    const inManifest = this.problems.some((problem) => problem.exitCode === 2);
    const count = this.problems.length;
    const what = inManifest ? 'the manifest has' : 'the data has';
    const hints = inManifest ? [...this.hints, POINTER_HINT] : this.hints;
    return new PolymodalError(`${source}: ${what} ${count} problem${count === 1 ? '' : 's'}`, {
      problems: this.lines(),
      hint: hints.join('\n') || undefined,
      exitCode: inManifest ? 2 : 1,
    });
  }

  throwIfAny(source: string): void {
    const error = this.toError(source);
    if (error) throw error;
  }
}
