// Turns the addon's and the file system's errors (an errno name or a reason in `code`, plus
// `syscall`) into DroverErrors.
import { getSystemErrorName } from "node:util";
import { DroverError, ErrorCode } from "../errors.ts";

/** create: a new segment; map: a descriptor this process holds; open: a /proc/<pid>/fd/<n> path. */
export type ShmOperation = "create" | "map" | "open";

interface NativeError {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly syscall?: unknown;
  readonly message?: unknown;
}

/** The DroverError for a failure of `operation` on the segment `what`; `cause` keeps the native error. */
export function shmError(cause: unknown, operation: ShmOperation, what: string): DroverError {
  const error = (typeof cause === "object" && cause !== null ? cause : {}) as NativeError;
  const code = errnoName(error);
  const syscall = typeof error.syscall === "string" ? error.syscall : "?";
  const detail = typeof error.message === "string" ? error.message : String(cause);
  const fail = (drover: ErrorCode, message: string) => new DroverError(drover, message, { cause });

  switch (code) {
    case "ENOENT":
      return fail(
        ErrorCode.SHM_NOT_FOUND,
        `shared memory ${what} does not exist: the process that held it (the drover master) has exited or let it go. Check that it is running.`,
      );
    case "EBADF":
      return fail(
        ErrorCode.SHM_BAD_ARGUMENT,
        `shared memory ${what} is not an open descriptor of this process: the process that starts this one must pass it (at spawn, in stdio).`,
      );
    case "EACCES":
    case "EPERM":
      return fail(
        ErrorCode.SHM_PERMISSION,
        `permission denied for shared memory ${what} (${syscall}: ${code}). Run as the user the drover master runs as, or as root.`,
      );
    case "ENOSPC":
    case "ENOMEM":
    case "EDQUOT":
      return fail(
        ErrorCode.SHM_NO_SPACE,
        `no memory for shared memory ${what} (${syscall}: ${code}): the system, or the memory limit of this service, is short. Free memory, raise the limit, or ask for a smaller size.`,
      );
    case "EFBIG":
      return fail(
        ErrorCode.SHM_BAD_SIZE,
        `shared memory ${what} is too large (${syscall}: EFBIG): a file size limit (ulimit -f) is lower. Raise it, or ask for a smaller size.`,
      );
    case "ENOTDIR":
    case "ENAMETOOLONG":
    case "ELOOP":
      return fail(ErrorCode.SHM_BAD_PATH, `${what} is not a usable path (${syscall}: ${code}). Check it.`);
    case "EISDIR":
    case "ENXIO":
    case "NOTREG":
      return fail(
        ErrorCode.SHM_BAD_ARGUMENT,
        `${what} is not shared memory but a directory, socket, pipe or device. Give the descriptor of a drover segment.`,
      );
    case "UNSEALED":
      return fail(
        ErrorCode.SHM_UNSEALED,
        `${what} is refused (${detail}): drover maps only memfds sealed against shrinking and growing, as a file that can be truncated under a mapping crashes every process using it (SIGBUS). Pass the descriptor drover created.`,
      );
    case "FOREIGN":
      return fail(
        ErrorCode.SHM_FOREIGN,
        `${what} is not drover shared memory (${detail}). Check which descriptor is passed: another program may own it.`,
      );
    case "LAYOUT":
    case "SIZE":
      return fail(
        ErrorCode.SHM_LAYOUT_MISMATCH,
        `${what} does not have the expected layout (${detail}): another version of drover or another component made it. Run one version of drover for the master and its commands.`,
      );
    default:
      return fail(
        ErrorCode.SHM_SYSTEM,
        `cannot ${operation} shared memory ${what}: ${syscall} failed with ${code ?? "an unexpected error"} (${detail}).`,
      );
  }
}

// The errno name, also for the rare errno the addon has no name for.
function errnoName(error: NativeError): string | undefined {
  if (error.code === "EUNKNOWN" && typeof error.errno === "number" && error.errno > 0) {
    try {
      return getSystemErrorName(-error.errno);
    } catch {
      return "EUNKNOWN";
    }
  }
  return typeof error.code === "string" ? error.code : undefined;
}
