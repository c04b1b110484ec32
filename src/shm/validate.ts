// Argument checks done before any system call, so that a mistake is named plainly.
import { isAbsolute } from "node:path";
import { DroverError, ErrorCode } from "../errors.ts";
import type { ShmLayout } from "./layout.ts";

/** The largest payload createShm accepts: 1 GiB, far beyond any scoreboard, well short of a typo. */
export const MAX_SHM_SIZE = 1024 ** 3;

const U32_MAX = 0xffff_ffff;

export function checkSize(size: unknown, path: string): number {
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > MAX_SHM_SIZE) {
    throw new DroverError(
      ErrorCode.SHM_BAD_SIZE,
      `cannot create shared-memory file ${path} with size ${String(size)}: the size must be a whole number of bytes from 1 to ${MAX_SHM_SIZE}.`,
    );
  }
  return size;
}

/** An absolute path to a file (not ending in '/'), without NUL bytes. */
export function checkPath(path: unknown): string {
  if (typeof path !== "string" || !isAbsolute(path) || path.includes("\0") || path.endsWith("/")) {
    throw new DroverError(
      ErrorCode.SHM_BAD_PATH,
      `${JSON.stringify(path)} is not a valid shared-memory path: give an absolute path to a file (see shmPath()).`,
    );
  }
  return path;
}

export function checkLayout(layout: unknown, path: string): ShmLayout {
  const { tag, version } = (
    typeof layout === "object" && layout !== null ? layout : {}
  ) as Partial<ShmLayout>;
  if (!isU32(tag) || !isU32(version)) {
    throw new DroverError(
      ErrorCode.SHM_BAD_ARGUMENT,
      `bad layout for shared-memory file ${path}: tag (${String(tag)}) and version (${String(version)}) must be integers from 0 to ${U32_MAX}.`,
    );
  }
  return { tag, version };
}

export function checkMode(mode: unknown, path: string): number {
  if (typeof mode !== "number" || !Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw new DroverError(
      ErrorCode.SHM_BAD_ARGUMENT,
      `bad mode ${String(mode)} for shared-memory file ${path}: give permission bits from 0o000 to 0o777, e.g. 0o600.`,
    );
  }
  return mode;
}

function isU32(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= U32_MAX;
}
