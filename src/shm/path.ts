// Where shared-memory files live: /dev/shm (RAM-backed on Linux), or a run directory of the caller's.
import { isAbsolute, join } from "node:path";
import { DroverError, ErrorCode } from "../errors.ts";

export const SHM_DIR = "/dev/shm";

// A plain file name: no separator, no "..", no leading dot (the addon's temporary names start with one).
const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** `/dev/shm/<name>`, or `<runDir>/<name>`; refuses a name that is not a plain file name. */
export function shmPath(name: string, runDir?: string): string {
  if (typeof name !== "string" || !NAME.test(name) || name.includes("..")) {
    throw new DroverError(
      ErrorCode.SHM_BAD_PATH,
      `${JSON.stringify(name)} is not a valid shared-memory name: use 1 to 200 letters, digits, '.', '_' or '-', not starting with '.' and without '..' or '/'.`,
    );
  }
  if (runDir === undefined) return join(SHM_DIR, name);
  if (typeof runDir !== "string" || !isAbsolute(runDir) || runDir.includes("\0")) {
    throw new DroverError(
      ErrorCode.SHM_BAD_PATH,
      `${JSON.stringify(runDir)} is not a valid run directory for shared memory: give an absolute path.`,
    );
  }
  return join(runDir, name);
}
