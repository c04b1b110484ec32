// What a JS environment that ends (a worker thread terminated, the process exiting) leaves in a word
// of shared memory (native/word-guard.c): a value that tells other processes it is gone.
import { loadAddon } from "./addon.ts";

interface NativeWordGuard {
  wordGuard(buffer: ArrayBuffer): object;
  wordGuardSet(guard: object, byteOffset: number, a: number, b: number, c: number, replacement: number): void;
  wordGuardClear(guard: object): void;
}

/** One per user of `buffer`; inactive until set. */
export class WordGuard {
  readonly #addon = loadAddon() as NativeWordGuard;
  readonly #handle: object;

  constructor(buffer: ArrayBuffer) {
    this.#handle = this.#addon.wordGuard(buffer);
  }

  /**
   * Should this environment end, or this guard be collected, before clear(): the Int32 at
   * `byteOffset` becomes `replacement` if it holds one of `values` (up to three) by then.
   */
  set(byteOffset: number, values: readonly number[], replacement: number): void {
    const [a = replacement, b = a, c = b] = values;
    this.#addon.wordGuardSet(this.#handle, byteOffset, a, b, c, replacement);
  }

  clear(): void {
    this.#addon.wordGuardClear(this.#handle);
  }
}
