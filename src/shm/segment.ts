// A mapped shared-memory segment (a sealed memfd): create it (the owner), map a descriptor passed at
// spawn (a child), or reopen another process's through /proc (`drover status`); use `buffer`; close.
import { closeSync, constants, openSync } from "node:fs";
import { DroverError, ErrorCode } from "../errors.ts";
import { shmError } from "./errors.ts";
import type { ShmLayout } from "./layout.ts";
import { type NativeSegment, native } from "./native.ts";
import { memfdNameOf } from "./path.ts";
import { checkFd, checkLayout, checkName, checkProcFdPath, checkSize } from "./validate.ts";

export interface ShmSegment {
  /** The memfd's name (as /proc/<pid>/fd shows it), or a description of the descriptor. */
  readonly name: string;
  /** The descriptor of the memfd (close-on-exec in its creator): pass it to a child at spawn. */
  readonly fd: number;
  /** The payload, shared with every process that maps the segment. Reading it after close() throws SHM_CLOSED. */
  readonly buffer: ArrayBuffer;
  /** Payload bytes. */
  readonly size: number;
  /** True when this process created the segment. */
  readonly owner: boolean;
  /**
   * Unmaps (the buffer is detached: every view over it has length 0) and closes the descriptor when
   * this segment owns it (the creator's, openShm's, mapShm's with closeFd). Idempotent. The memory
   * itself lives on while another process holds a descriptor or a mapping of it.
   */
  close(): void;
}

export interface MapShmOptions {
  /** close() also closes `fd`. Default false: the descriptor stays the caller's. */
  readonly closeFd?: boolean;
}

/**
 * A new segment of `size` zeroed bytes laid out as `layout`, mapped. It exists nowhere in the file
 * system; its size is sealed before this returns, so no process given its descriptor can truncate
 * or grow it. The memory is reserved now, so a lack of memory fails here (SHM_NO_SPACE), not later.
 */
export function createShm(name: string, size: number, layout: ShmLayout): ShmSegment {
  checkName(name);
  checkSize(size, name);
  const { tag, version } = checkLayout(layout, name);
  const addon = native();
  let made: NativeSegment & { fd: number };
  try {
    made = addon.create(name, size, tag, version);
  } catch (cause) {
    throw shmError(cause, "create", name);
  }
  return new Segment(name, made.fd, made, { owner: true, closeFd: true });
}

/**
 * Maps the segment open as `fd` (inherited at spawn, or from openShm). Refuses a descriptor that is
 * not a memfd sealed against resizing (SHM_UNSEALED), not drover's (SHM_FOREIGN) or not `layout`
 * (SHM_LAYOUT_MISMATCH).
 */
export function mapShm(fd: number, layout: ShmLayout, options: MapShmOptions = {}): ShmSegment {
  checkFd(fd);
  const known = memfdNameOf(fd);
  const name = known ?? `fd ${fd}`;
  const { tag, version } = checkLayout(layout, name);
  const addon = native();
  let mapped: NativeSegment;
  try {
    mapped = addon.map(fd, tag, version);
  } catch (cause) {
    throw shmError(cause, "map", known === undefined ? name : `${known} (fd ${fd})`);
  }
  return new Segment(name, fd, mapped, { owner: false, closeFd: options.closeFd === true });
}

/**
 * Maps another process's segment through its /proc/<pid>/fd/<n> link (see findShmOf). The link is a
 * magic one: it must be followed, and the kernel lets only that process's user, or root, follow it
 * (SHM_PERMISSION otherwise).
 */
export function openShm(path: string, layout: ShmLayout): ShmSegment {
  checkProcFdPath(path);
  checkLayout(layout, path);
  let fd: number;
  try {
    // Node opens close-on-exec; O_NONBLOCK keeps a descriptor that turned out to be a FIFO from hanging.
    fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  } catch (cause) {
    throw shmError(cause, "open", path);
  }
  try {
    return mapShm(fd, layout, { closeFd: true });
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

class Segment implements ShmSegment {
  readonly name: string;
  readonly fd: number;
  readonly size: number;
  readonly owner: boolean;
  readonly #closeFd: boolean;
  #native: NativeSegment | undefined;

  constructor(
    name: string,
    fd: number,
    segment: NativeSegment,
    options: { readonly owner: boolean; readonly closeFd: boolean },
  ) {
    this.name = name;
    this.fd = fd;
    this.size = segment.size;
    this.owner = options.owner;
    this.#closeFd = options.closeFd;
    this.#native = segment;
  }

  get buffer(): ArrayBuffer {
    if (this.#native === undefined) {
      throw new DroverError(
        ErrorCode.SHM_CLOSED,
        `shared memory ${this.name} is closed: its memory is unmapped. Map it again, or stop using it after close().`,
      );
    }
    return this.#native.buffer;
  }

  close(): void {
    const segment = this.#native;
    if (segment === undefined) return;
    this.#native = undefined;
    native().close(segment);
    if (this.#closeFd) closeSync(this.fd);
  }
}
