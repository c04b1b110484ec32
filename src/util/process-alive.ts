// Whether processes still run, from /proc. A zombie does not: it has exited and only waits for its
// parent (a busy one, or init, which may take a while) to collect its status.
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessStat {
  /** R, S, D, T, Z (zombie), X (dead), ... */
  readonly state: string;
  readonly parent: number;
  readonly group: number;
  /** When the process started, in clock ticks since boot: with the pid, it names one process for good. */
  readonly startTime: number;
}

/** Fields of /proc/<pid>/stat; undefined when there is no such process (or no /proc to read). */
export function processStat(pid: number | "self"): ProcessStat | undefined {
  if (pid !== "self" && (!Number.isInteger(pid) || pid <= 0)) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: the fields start after the last ")", at
    // field 3 (state); the start time is field 22.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [state = "", parent = "0", group = "0"] = fields;
    return { state, parent: Number(parent), group: Number(group), startTime: Number(fields[19] ?? 0) };
  } catch {
    return undefined;
  }
}

export function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = processStat(pid);
  // Without a stat (no /proc, or it exited just now) kill(0)'s answer stands.
  return stat === undefined || (stat.state !== "Z" && stat.state !== "X");
}

/**
 * Whether the process that had `pid` and started at `startTime` (processStat's) still runs: false for a
 * pid that now belongs to another process. A start time of 0 (unknown) checks the pid alone, and so
 * does a pid /proc does not show (mounted with hidepid): it may run, and only kill(0) can say so.
 */
export function isSameProcessRunning(pid: number, startTime: number): boolean {
  const stat = processStat(pid);
  if (stat === undefined) return isRunning(pid);
  if (stat.state === "Z" || stat.state === "X") return false;
  return startTime === 0 || stat.startTime === startTime;
}

/** The running (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return readdirSync("/proc")
    .map(Number)
    .filter((pid) => processStat(pid)?.group === pgid && isRunning(pid));
}
