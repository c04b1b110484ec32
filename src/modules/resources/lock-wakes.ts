// When a release passes the turn to a process asleep on the lock, the shared words say so at once,
// but the futex wake goes out at the end of this synchronous run (a microtask). A caller that
// unlocks and asks again at once is thus queued before the woken process can run, even when the
// wake hands that process this one's CPU: otherwise a busy machine lets it go round several times
// first, and the caller that let go loses its turn.
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
