/**
 * How long a test waits for something that should happen (a frame, an event,
 * a webhook, a state change) before failing. Every wait is deadline-based and
 * returns as soon as its condition holds, so a generous deadline costs a quiet
 * run nothing; it is sized for a loaded two-core machine (a fresh-clone
 * `./test` with other suites running beside it), where a `subscribed` has been
 * seen to take over 10 s. The workerd suite's `testTimeout` leaves room for
 * several such waits in one test.
 */
export const WAIT_MS = 30_000;
