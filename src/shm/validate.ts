// Argument checks done before any system call, so that a mistake is named plainly.
import { DroverError, ErrorCode } from "../errors.ts";
import type { ShmLayout } from "./layout.ts";

/** The largest payload createShm accepts: 1 GiB, far beyond any scoreboard, well short of a typo. */
export const MAX_SHM_SIZE = 1024 ** 3;

/** The longest segment name: what memfd_create takes. */
export const MAX_SHM_NAME = 249;

const U32_MAX = 0xffff_ffff;
// Shown in /proc/<pid>/fd as "/memfd:<name> (deleted)": a plain word keeps that link unambiguous.
const NAME = new RegExp(`^[A-Za-z0-9._-]{1,${MAX_SHM_NAME}}$`);
// What openShm reopens: a descriptor of a running process, through its magic link.
const PROC_FD = /^\/proc\/(?:self|[1-9][0-9]*)\/fd\/[0-9]+$/;

export function checkName(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new DroverError(
      ErrorCode.SHM_BAD_PATH,
      `${JSON.stringify(name) ?? String(name)} is not a valid shared-memory name: use 1 to ${MAX_SHM_NAME} letters, digits, '.', '_' or '-'.`,
    );
  }
  return name;
}

export function checkSize(size: unknown, what: string): number {
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > MAX_SHM_SIZE) {
    throw new DroverError(
      ErrorCode.SHM_BAD_SIZE,
      `cannot create shared memory ${what} with size ${String(size)}: the size must be a whole number of bytes from 1 to ${MAX_SHM_SIZE}.`,
    );
  }
  return size;
}

export function checkFd(fd: unknown): number {
  if (typeof fd !== "number" || !Number.isInteger(fd) || fd < 0 || fd > 0x7fff_ffff) {
    throw new DroverError(
      ErrorCode.SHM_BAD_ARGUMENT,
      `${String(fd)} is not a file descriptor: give the whole number of the descriptor that holds the shared memory.`,
    );
  }
  return fd;
}

/** A /proc/<pid>/fd/<n> path (see findShmOf). */
export function checkProcFdPath(path: unknown): string {
  if (typeof path !== "string" || !PROC_FD.test(path)) {
    throw new DroverError(
      ErrorCode.SHM_BAD_PATH,
      `${JSON.stringify(path) ?? String(path)} is not a path to another process's shared memory: give /proc/<pid>/fd/<n>, as findShmOf() returns.`,
    );
  }
  return path;
}

export function checkLayout(layout: unknown, what: string): ShmLayout {
  const { tag, version } = (
    typeof layout === "object" && layout !== null ? layout : {}
  ) as Partial<ShmLayout>;
  if (!isU32(tag) || !isU32(version)) {
    throw new DroverError(
      ErrorCode.SHM_BAD_ARGUMENT,
      `bad layout for shared memory ${what}: tag (${String(tag)}) and version (${String(version)}) must be integers from 0 to ${U32_MAX}.`,
    );
  }
  return { tag, version };
}

function isU32(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= U32_MAX;
}
