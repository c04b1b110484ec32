// The shared-memory half of drover's N-API addon (native/shm.c).
import { loadAddon } from "../native/addon.ts";

/** What the addon returns for a mapping: the payload and who made the segment. Also the handle to close. */
export interface NativeSegment {
  readonly buffer: ArrayBuffer;
  readonly size: number;
  /** The pid that created the segment. */
  readonly pid: number;
}

export interface NativeShm {
  /** A new sealed memfd named `name`, mapped; its close-on-exec descriptor is the caller's to close. */
  create(name: string, size: number, tag: number, version: number): NativeSegment & { readonly fd: number };
  /** Maps a sealed drover memfd of that layout; the descriptor stays the caller's. */
  map(fd: number, tag: number, version: number): NativeSegment;
  /** Detaches the buffer and unmaps; true if this call unmapped. */
  close(segment: NativeSegment): boolean;
  readonly HEADER_SIZE: number;
}

/** The addon's shared-memory functions (native/shm.c). */
export function native(): NativeShm {
  return loadAddon() as NativeShm;
}
