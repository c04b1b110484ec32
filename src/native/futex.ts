// Waiting for another process to change a word of shared memory (native/futex.c): a cross-process
// futex whose waiting happens in a small native thread of its own, never on the event loop and never
// in libuv's threadpool.
import { loadAddon } from "./addon.ts";

/** A wait in progress; see watchWord. */
export interface WordWatch {
  /** Stops the wait: no callback after this. Idempotent. */
  close(): void;
}

interface NativeFutex {
  futexWatch(
    buffer: ArrayBuffer,
    byteOffset: number,
    expected: number,
    intervalMs: number,
    callback: (changed: boolean) => void,
  ): object;
  futexClose(watch: object): void;
  futexWake(buffer: ArrayBuffer, byteOffset: number): number;
}

const futex = (): NativeFutex => loadAddon() as NativeFutex;

/**
 * Waits, off the event loop, until the Int32 word `byteOffset` bytes into `buffer` no longer holds
 * `expected`, then calls `onChange` once and ends. Every `intervalMs` until then it calls `onTick`,
 * so the caller can look around (a holder that died, say). Keeps the event loop alive until it ends
 * or is closed. Another process that changes the word calls `wake()` so that this sees it at once.
 */
export function watchWord(
  buffer: ArrayBuffer,
  byteOffset: number,
  expected: number,
  intervalMs: number,
  handlers: { readonly onChange: () => void; readonly onTick: () => void },
): WordWatch {
  const addon = futex();
  const handle = addon.futexWatch(buffer, byteOffset, expected, intervalMs, (changed) => {
    if (changed) handlers.onChange();
    else handlers.onTick();
  });
  return { close: () => addon.futexClose(handle) };
}

/** Wakes every thread, in any process, that waits on the word `byteOffset` bytes into `buffer`. */
export function wake(buffer: ArrayBuffer, byteOffset: number): number {
  return futex().futexWake(buffer, byteOffset);
}
