// Whether processes still run, from /proc. A zombie does not: it has exited and only waits for its
// parent (a busy one, or init, which may take a while) to collect its status.
import { readdirSync, readFileSync } from "node:fs";

/** State letter, parent and process group from /proc/<pid>/stat; undefined when there is no such process. */
export function processStat(pid: number): { state: string; parent: number; group: number } | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: the fields start after the last ")".
    const [state = "", parent = "0", group = "0"] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state, parent: Number(parent), group: Number(group) };
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

/** The running (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return readdirSync("/proc")
    .map(Number)
    .filter((pid) => processStat(pid)?.group === pgid && isRunning(pid));
}
