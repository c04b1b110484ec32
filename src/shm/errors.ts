// Turns the addon's errors (an errno name or a reason in `code`, plus `syscall`) into DroverErrors.
import { dirname } from "node:path";
import { getSystemErrorName } from "node:util";
import { DroverError, ErrorCode } from "../errors.ts";

export type ShmOperation = "create" | "open" | "remove";

interface NativeError {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly syscall?: unknown;
  readonly message?: unknown;
}

/** The DroverError for a failure of `operation` on `path`; `cause` keeps the native error. */
export function shmError(cause: unknown, operation: ShmOperation, path: string): DroverError {
  const error = (typeof cause === "object" && cause !== null ? cause : {}) as NativeError;
  const code = errnoName(error);
  const syscall = typeof error.syscall === "string" ? error.syscall : "?";
  const detail = typeof error.message === "string" ? error.message : String(cause);
  const fail = (drover: ErrorCode, message: string) => new DroverError(drover, message, { cause });

  switch (code) {
    case "ENOENT":
      return operation === "create"
        ? fail(
            ErrorCode.SHM_BAD_PATH,
            `cannot create shared-memory file ${path}: directory ${dirname(path)} does not exist. Create it, or choose another directory.`,
          )
        : fail(
            ErrorCode.SHM_NOT_FOUND,
            `shared-memory file ${path} does not exist. Create it first, or check that the process that owns it (the drover master) is running.`,
          );
    case "EEXIST":
      return fail(
        ErrorCode.SHM_EXISTS,
        `cannot create shared-memory file ${path}: it already exists. Another drover may be using it; if it is a leftover from a process that died, remove it or create with { replace: true }.`,
      );
    case "EACCES":
    case "EPERM":
      return fail(
        ErrorCode.SHM_PERMISSION,
        `permission denied for shared-memory file ${path} (${syscall}: ${code}). Run as the user that created it, or fix the permissions of the file or of ${dirname(path)}.`,
      );
    case "ENOSPC":
    case "ENOMEM":
    case "EDQUOT":
      return fail(
        ErrorCode.SHM_NO_SPACE,
        `no space for shared-memory file ${path} (${syscall}: ${code}): the file system under ${dirname(path)} or the memory is full. Free space there, enlarge it, or ask for a smaller size.`,
      );
    case "EFBIG":
      return fail(
        ErrorCode.SHM_BAD_SIZE,
        `shared-memory file ${path} is too large for its file system (${syscall}: EFBIG). Ask for a smaller size.`,
      );
    case "ENOTDIR":
    case "ENAMETOOLONG":
      return fail(ErrorCode.SHM_BAD_PATH, `${path} is not a usable path (${syscall}: ${code}). Check it.`);
    case "ELOOP":
      return fail(
        ErrorCode.SHM_BAD_PATH,
        `${path} is a symbolic link: drover does not follow links to shared memory. Give the real path.`,
      );
    case "EISDIR":
    case "NOTREG":
      return fail(
        ErrorCode.SHM_BAD_PATH,
        `${path} is not a regular file. Give the path of a shared-memory file, not of a directory or device.`,
      );
    case "FOREIGN":
      return fail(
        ErrorCode.SHM_FOREIGN,
        `${path} is not a drover shared-memory file (${detail}). Check the path: another program may own this file.`,
      );
    case "LAYOUT":
    case "SIZE":
      return fail(
        ErrorCode.SHM_LAYOUT_MISMATCH,
        `${path} does not have the expected layout (${detail}): another version of drover or another component made it. Stop what uses it, or remove it if it is a leftover.`,
      );
    default:
      return fail(
        ErrorCode.SHM_SYSTEM,
        `cannot ${operation} shared-memory file ${path}: ${syscall} failed with ${code ?? "an unexpected error"} (${detail}).`,
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
