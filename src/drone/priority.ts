// A drone's CPU niceness. Linux keeps one per thread, and setpriority() of "this process" sets the
// calling thread's alone: each thread the drone has by now (V8's platform threads, which collect its
// garbage, libuv's pool, the stack watchdog) gets it too; threads started later inherit it.
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

export function lowerPriority(nice: number): void {
  setPriority(nice);
  let threads: string[] = [];
  try {
    threads = readdirSync("/proc/self/task");
  } catch {
    // No /proc (not Linux): the process's niceness is the one.
  }
  for (const thread of threads) {
    try {
      setPriority(Number(thread), nice);
    } catch {
      // A thread that ended meanwhile.
    }
  }
}
