/**
 * A promise with its resolve and reject at hand: what `connect()` returns for
 * one connection attempt, settled when the broker says `connected` or the
 * attempt fails.
 */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

/**
 * Creates a deferred. Its rejection is marked as handled: a background
 * reconnect attempt that nobody awaits must not become an unhandled rejection
 * (whoever awaits `promise` still sees it).
 */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
