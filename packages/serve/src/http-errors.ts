import { didYouMean } from '@polymodal/core';
import { QueueFull } from './micro-batcher.js';

/** One thing wrong with a request, at a JSON pointer into its body. */
export interface Problem {
  readonly pointer: string;
  readonly message: string;
}

/** Every error answer: what went wrong, and where in the body when that is known. */
export interface ErrorBody {
  readonly error: string;
  readonly problems?: readonly Problem[];
}

/** The `kind` label of the errors metric. */
export type ErrorKind = 'validation' | 'invalid_row' | 'too_large' | 'overloaded' | 'bad_request' | 'not_found' | 'not_ready' | 'internal';

/** An error answer the routes throw; the error handler sends it as it is. */
export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly kind: ErrorKind, message: string, readonly problems?: readonly Problem[], readonly headers: Record<string, string> = {}) {
    super(message);
  }

  body(): ErrorBody {
    return this.problems ? { error: this.message, problems: this.problems } : { error: this.message };
  }
}

/** RFC 6901: `~` and `/` inside a key. */
export function pointerOf(...parts: (string | number)[]): string {
  return parts.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** Problems we name at most in one answer (allErrors can find one per cell). */
const MAX_PROBLEMS = 20;

/** ajv's errors as pointers and sentences that name the model's columns. */
export function validationProblems(errors: readonly AjvError[], columns: readonly string[]): Problem[] {
  return errors.slice(0, MAX_PROBLEMS).map((error): Problem => {
    if (error.keyword === 'required') {
      return { pointer: error.instancePath + pointerOf(String(error.params.missingProperty)), message: 'missing: the model needs this value' };
    }
    if (error.keyword === 'additionalProperties') {
      const key = String(error.params.additionalProperty);
      const where = error.instancePath === '' || /^\/rows\/\d+$/.test(error.instancePath) ? `not a column the model reads.${didYouMean(key, columns)} It reads: ${columns.join(', ')}` : 'not expected here';
      return { pointer: error.instancePath + pointerOf(key), message: where };
    }
    if (error.keyword === 'type') return { pointer: error.instancePath || '/', message: `must be ${String(error.params.type).split(',').join(' or ')}` };
    return { pointer: error.instancePath || '/', message: error.message ?? error.keyword };
  });
}

/** Fastify's and the plugins' own errors that are the client's: too large, malformed, wrong media type. */
interface FrameworkError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly message: string;
  readonly validation?: readonly AjvError[];
}

export function toHttpError(error: unknown, columns: readonly string[], retryAfterSeconds: number): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof QueueFull) {
    return new HttpError(503, 'overloaded', `${error.message}; retry shortly`, undefined, { 'retry-after': String(retryAfterSeconds) });
  }
  const framework = error as FrameworkError;
  if (framework?.validation) return new HttpError(400, 'validation', 'the request does not match the model\'s inputs', validationProblems(framework.validation, columns));
  const status = framework?.statusCode;
  if (status === 413) return new HttpError(413, 'too_large', framework.message);
  if (status !== undefined && status >= 400 && status < 500) return new HttpError(status, 'bad_request', framework.message);
  return new HttpError(500, 'internal', 'internal error (the server log has the details)');
}
