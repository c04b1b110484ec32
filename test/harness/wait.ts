// Polling with a deadline: what every test that waits for a state of the world uses.
import { setTimeout as delay } from "node:timers/promises";

/**
 * Polls `probe` until it returns something other than undefined, null or false, and returns that; a
 * probe that throws counts as "not yet". Throws after `timeoutMs`, naming `what` and the last error.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const why = last === undefined ? "" : ` (last error: ${(last as Error).message ?? String(last)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await delay(intervalMs);
  }
}
