// A mapped shared-memory file: create it (the owner) or open it, use `buffer`, close it.
import { DroverError, ErrorCode } from "../errors.ts";
import { shmError } from "./errors.ts";
import type { ShmLayout } from "./layout.ts";
import { type NativeSegment, native } from "./native.ts";
import { checkLayout, checkMode, checkPath, checkSize } from "./validate.ts";

export interface ShmSegment {
  readonly path: string;
  /** The payload, shared with every process that maps the file. Reading it after close() throws SHM_CLOSED. */
  readonly buffer: ArrayBuffer;
  /** Payload bytes. */
  readonly size: number;
  /** True when this process created the file. */
  readonly owner: boolean;
  /**
   * Unmaps (the buffer is detached: every view over it has length 0); the owner also removes the file,
   * if `path` still names the file it created. Idempotent. Throws (SHM_PERMISSION, ...) only when the
   * owner cannot remove the file; the memory is unmapped all the same.
   */
  close(): void;
}

export interface CreateShmOptions {
  /** Permission bits of the new file, applied exactly (not masked by the umask). Default 0o600. */
  readonly mode?: number;
  /** Replace a file already at `path` (atomically) instead of failing with SHM_EXISTS. */
  readonly replace?: boolean;
}

/**
 * Creates `path` holding `size` zeroed bytes laid out as `layout`, and maps it. Readers never see
 * a partial file: it appears under its name complete. The memory is reserved now, so a full file
 * system fails here (SHM_NO_SPACE) rather than later.
 */
export function createShm(
  path: string,
  size: number,
  layout: ShmLayout,
  options?: CreateShmOptions,
): ShmSegment {
  checkPath(path);
  checkSize(size, path);
  const { tag, version } = checkLayout(layout, path);
  const mode = checkMode(options?.mode ?? 0o600, path);
  const addon = native();
  try {
    return new Segment(path, addon.create(path, size, tag, version, mode, options?.replace === true), true);
  } catch (cause) {
    throw shmError(cause, "create", path);
  }
}

/** Maps an existing file, refusing one that is not drover's (SHM_FOREIGN) or not `layout` (SHM_LAYOUT_MISMATCH). */
export function openShm(path: string, layout: ShmLayout): ShmSegment {
  checkPath(path);
  const { tag, version } = checkLayout(layout, path);
  const addon = native();
  try {
    return new Segment(path, addon.open(path, tag, version), false);
  } catch (cause) {
    throw shmError(cause, "open", path);
  }
}

/** Removes the file at `path` (mappings of it stay valid); false if there was none. */
export function removeShm(path: string): boolean {
  checkPath(path);
  const addon = native();
  try {
    return addon.remove(path);
  } catch (cause) {
    throw shmError(cause, "remove", path);
  }
}

class Segment implements ShmSegment {
  readonly path: string;
  readonly size: number;
  readonly owner: boolean;
  #native: NativeSegment | undefined;

  constructor(path: string, segment: NativeSegment, owner: boolean) {
    this.path = path;
    this.size = segment.size;
    this.owner = owner;
    this.#native = segment;
  }

  get buffer(): ArrayBuffer {
    if (this.#native === undefined) {
      throw new DroverError(
        ErrorCode.SHM_CLOSED,
        `shared-memory segment ${this.path} is closed: its memory is unmapped. Open it again, or stop using it after close().`,
      );
    }
    return this.#native.buffer;
  }

  close(): void {
    const segment = this.#native;
    if (segment === undefined) return;
    this.#native = undefined;
    const addon = native();
    addon.close(segment);
    if (!this.owner) return;
    try {
      // Only if `path` is still our file: one that replaced it belongs to someone else.
      addon.remove(this.path, segment);
    } catch (cause) {
      throw shmError(cause, "remove", this.path);
    }
  }
}
