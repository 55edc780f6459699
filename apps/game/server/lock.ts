/**
 * One-at-a-time per key, in this process: a claim's database write and its
 * publish happen before the next claim or snapshot of the same match, so a
 * snapshot's seq stamp always matches its content and score events reach the
 * channel in the order they were decided. (Several server instances would
 * need the same guarantee from the database, e.g. an outbox drained in order.)
 */
const tails = new Map<string, Promise<unknown>>();

export function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = tails.get(key) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
