// Counting this process's threads by name, from /proc: how a test sees the addon's threads end.
import { readdirSync, readFileSync } from "node:fs";

/** How many threads of this process are named `name` (as /proc/self/task/<tid>/comm shows it). */
export function threadsNamed(name: string): number {
  return readdirSync("/proc/self/task").filter((task) => {
    try {
      return readFileSync(`/proc/self/task/${task}/comm`, "utf8").trim() === name;
    } catch {
      return false; // ended while we looked
    }
  }).length;
}

/** The futex-watch threads of native/futex.c, which it names "drover-futex". */
export const futexThreads = (): number => threadsNamed("drover-futex");
