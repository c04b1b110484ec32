// The file half of drover's N-API addon (native/files.c): whole-file advisory locks, which Node lacks.
import { loadAddon } from "./addon.ts";

interface NativeFiles {
  flock(fd: number, exclusive: boolean, wait: boolean): boolean;
}

/**
 * flock(2) on `fd`: shared or exclusive; true once held, false when `wait` is false and another open
 * file holds a conflicting lock. With `wait` it blocks the thread (the event loop) until it gets it.
 */
export function flock(fd: number, exclusive: boolean, wait: boolean): boolean {
  return (loadAddon() as NativeFiles).flock(fd, exclusive, wait);
}
