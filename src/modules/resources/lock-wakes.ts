// When a release passes the turn to a process asleep on the lock, the shared words say so at once,
// but the futex wake goes out at the end of this synchronous run (a microtask). A caller that
// unlocks and asks again at once is thus queued before the woken process can run. Woken at once, that
// process may take this one's CPU at the wake and, on a busy machine, go round several times before
// the caller that let go asks again: the caller loses its turn, again and again (a 1-caller process
// against a 4-caller one got 7 turns of 3,000 on 2 cores). The price: synchronous work that follows
// unlock() in the same run delays the woken waiter by as long (a waiter also looks every 100 ms).
import { wake } from "../../native/futex.ts";

/** A function that wakes the sleepers on a word of `memory` soon: at the end of this synchronous run. */
export function wakeSoon(memory: ArrayBuffer): (byteOffset: number) => void {
  const pending = new Set<number>();
  const flush = () => {
    for (const byteOffset of pending) {
      try {
        wake(memory, byteOffset);
      } catch {
        // The memory is gone (closed and unmapped): nobody can sleep on it any more.
      }
    }
    pending.clear();
  };
  return (byteOffset) => {
    if (pending.size === 0) queueMicrotask(flush);
    pending.add(byteOffset);
  };
}
