// Waiting with a deadline and an AbortSignal: every wait in the master is bounded and gives up when
// the master stops.

/**
 * Settles as `work` does, or rejects with `timeout()` after `ms`, or with the signal's reason when it
 * is aborted first. The work itself goes on (a promise cannot be cancelled): callers pass the signal
 * into the work too where it can listen.
 */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  timeout: () => Error,
  signal?: AbortSignal,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(timeout())), ms);
    const onAbort = () => finish(() => reject(signal?.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    work.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}
