// A process's CPU time, read from /proc/<pid>/stat by pid: what `drover status` and `drover top` show
// per child and drone. Read here rather than written to the scoreboard: the kernel keeps it anyway, it
// is as fresh for a hung child as for a busy one, and nobody pays for it but the reader.
import { readFileSync } from "node:fs";

// /proc reports CPU time in USER_HZ ticks, which is 100 on every architecture Node runs on (Linux fixes
// it for the ABI, whatever the kernel's own tick rate).
const TICKS_PER_SECOND = 100;

/** User plus system CPU seconds `pid` has used; undefined when there is no such process to read. */
export function cpuSeconds(pid: number): number | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields restart after the last ")", at field 3,
  // so utime (field 14) and stime (15) are the 12th and 13th from there.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : undefined;
}
