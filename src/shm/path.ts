// Where a process's shared memory can be reached from outside it: each segment is a memfd, which has
// no name in any directory but shows in /proc/<pid>/fd as a link to "/memfd:<name> (deleted)".
// Opening that link reopens the segment itself (the kernel checks that the opener may inspect the
// process: its owner or root).
import { readdirSync, readlinkSync } from "node:fs";
import { DroverError, ErrorCode } from "../errors.ts";
import { checkName } from "./validate.ts";

/** What /proc/<pid>/fd/<n> reads for a memfd named `name`. */
export function memfdLink(name: string): string {
  return `/memfd:${name} (deleted)`;
}

/**
 * The /proc/<pid>/fd/<n> path of the segment `name` that process `pid` holds open, or undefined when
 * it holds none of that name (or there is no such process). Throws SHM_PERMISSION when this process
 * may not look at that one's descriptors.
 */
export function findShmOf(pid: number, name: string): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const link = memfdLink(checkName(name));
  const dir = `/proc/${pid}/fd`;
  let fds: string[];
  try {
    fds = readdirSync(dir);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ESRCH") return undefined;
    if (code === "EACCES" || code === "EPERM") throw permissionDenied(pid, name, cause);
    throw new DroverError(
      ErrorCode.SHM_SYSTEM,
      `cannot list the descriptors of process ${pid} to find shared memory ${name} (${code ?? String(cause)}).`,
      { cause },
    );
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`${dir}/${fd}`) === link) return `${dir}/${fd}`;
    } catch (cause) {
      // Closed since the listing: not it. A refusal means the same for every entry.
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM") throw permissionDenied(pid, name, cause);
    }
  }
  return undefined;
}

/** The name of the memfd open as `fd` in this process, or undefined when it is not a memfd. */
export function memfdNameOf(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`).match(/^\/memfd:(.*) \(deleted\)$/)?.[1];
  } catch {
    return undefined;
  }
}

function permissionDenied(pid: number, name: string, cause: unknown): DroverError {
  return new DroverError(
    ErrorCode.SHM_PERMISSION,
    `permission denied reading the descriptors of process ${pid} (to find shared memory ${name}): run as the user the drover master runs as, or as root.`,
    { cause },
  );
}
