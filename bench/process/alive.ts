// Which processes still run, read from /proc: a zombie counts as gone (it holds no port and no CPU,
// and its parent or init reaps it), anything else counts as alive.
import { readdirSync, readFileSync } from "node:fs";

interface ProcStat {
  readonly pid: number;
  readonly state: string;
  readonly pgid: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The command name sits in parentheses and may hold spaces, so split after its closing one.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, state: fields[0] ?? "?", pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** True while `pid` exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== "Z";
}

/** Pids of the running (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat && stat.pgid === pgid && stat.state !== "Z") members.push(pid);
  }
  return members;
}
