/**
 * The one error type kcost throws on purpose. `code` is stable (tests, logs,
 * the API's status mapping and dead letters rely on it); `retriable` says
 * whether repeating the same operation may succeed. Programmer errors are
 * plain `Error`s and are never retried.
 */
export class KcostError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KcostError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** True when `error` is a KcostError that may succeed on a retry. */
export function isRetriable(error: unknown): boolean {
  return error instanceof KcostError && error.retriable;
}

/** The message of any thrown value, for logs and dead letters. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
