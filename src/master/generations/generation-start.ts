// Waiting for a new generation to come up: done once the wanted number of its children said they are
// ready; failed as soon as one cannot initialise, exits first or is not ready within
// childStartTimeout (the pool reports those), or when the master stops.
import { DroverError, ErrorCode } from "../../errors.ts";

export class GenerationStart {
  readonly generation: number;
  readonly done: Promise<void>;
  #waiting: number;
  #pending = true;
  #settle: (error?: Error) => void = () => {};

  constructor(generation: number, children: number, signal: AbortSignal) {
    this.generation = generation;
    this.#waiting = children;
    this.done = new Promise<void>((resolve, reject) => {
      const onAbort = () => this.#settle(signal.reason as Error);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#settle = (error) => {
        signal.removeEventListener("abort", onAbort);
        this.#settle = () => {};
        this.#pending = false;
        if (error) reject(error);
        else resolve();
      };
      if (signal.aborted) onAbort();
    });
  }

  /** Neither done nor failed yet. */
  get pending(): boolean {
    return this.#pending;
  }

  ready(): void {
    if (--this.#waiting <= 0) this.#settle();
  }

  fail(reason: string): void {
    this.#settle(new DroverError(ErrorCode.CHILD_FATAL, reason));
  }
}
