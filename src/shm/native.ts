// The shared-memory half of drover's N-API addon (native/shm.c).
import { loadAddon } from "../native/addon.ts";

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

/** The addon's shared-memory functions (native/shm.c). */
export function native(): NativeShm {
  return loadAddon() as NativeShm;
}
