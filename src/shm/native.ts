// Loads drover's N-API addon (native/shm.c), built by node-gyp at `npm install`.
import { createRequire } from "node:module";
import { DroverError, ErrorCode } from "../errors.ts";

/** What the addon returns for a mapping: the payload and who made the file. Also the handle to close. */
export interface NativeSegment {
  readonly buffer: ArrayBuffer;
  readonly size: number;
  /** The pid that created the file. */
  readonly pid: number;
}

export interface NativeShm {
  create(
    path: string,
    size: number,
    tag: number,
    version: number,
    mode: number,
    replace: boolean,
  ): NativeSegment;
  open(path: string, tag: number, version: number): NativeSegment;
  /** Detaches the buffer and unmaps; true if this call unmapped. */
  close(segment: NativeSegment): boolean;
  /** Unlinks `path` (only if it is still `segment`'s file, when given); false if there was nothing to remove. */
  remove(path: string, segment?: NativeSegment): boolean;
  readonly HEADER_SIZE: number;
}

// Relative to this file, so the same line works from src/shm/ (type stripping) and dist/shm/ (the build).
const ADDON = "../../build/Release/drover_shm.node";

let addon: NativeShm | undefined;

/** The addon, loaded on first use so that code which never maps memory works without it. */
export function native(): NativeShm {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  try {
    addon = require(ADDON) as NativeShm;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    throw new DroverError(
      ErrorCode.NATIVE_MISSING,
      `drover's native addon (build/Release/drover_shm.node) could not be loaded: ${reason}. ` +
        "Build it with `npm rebuild drover` in your project, or `npm install` in a drover checkout " +
        "(node-gyp needs python3, make and a C compiler).",
      { cause },
    );
  }
  return addon;
}
