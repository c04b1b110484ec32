// The CPU time a process has used, to the nanosecond, from the scheduler's own accounting: the sum
// over its threads of /proc/<pid>/task/<tid>/schedstat. /proc/<pid>/stat gives it only in ticks of
// 10 ms, which is 0.5% of a 2-second run. schedstat also tells how long the threads waited for a
// core while runnable: the neighbours' share of the machine during the run.
import { readdirSync, readFileSync } from "node:fs";

export interface CpuTime {
  /** Nanoseconds on a core, per thread id. */
  readonly running: ReadonlyMap<string, number>;
  /** Nanoseconds runnable but waiting for a core, all threads together. */
  readonly waiting: number;
}

export function cpuTime(pid: number): CpuTime {
  const running = new Map<string, number>();
  let waiting = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let fields: string[];
    try {
      fields = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ");
    } catch {
      continue; // the thread ended meanwhile
    }
    running.set(tid, Number(fields[0]));
    waiting += Number(fields[1]);
  }
  return { running, waiting };
}

/**
 * Nanoseconds on a core between two readings, and waiting for one. A thread that ended in between is
 * lost; Node's threads (V8's workers, libuv's pool) live as long as the process.
 */
export function cpuBetween(before: CpuTime, after: CpuTime): { running: number; waiting: number } {
  let running = 0;
  for (const [tid, ns] of after.running) running += ns - (before.running.get(tid) ?? 0);
  return { running, waiting: after.waiting - before.waiting };
}
