// Waiting for a new generation to come up: done once each of its children said it is ready, failed
// as soon as one cannot initialise or exits first, or when it takes too long.
import { DroverError, ErrorCode } from "../errors.ts";

export class GenerationStart {
  readonly generation: number;
  readonly done: Promise<void>;
  #waiting: number;
  #settle: (error?: Error) => void = () => {};

  constructor(generation: number, children: number, timeoutMs: number) {
    this.generation = generation;
    this.#waiting = children;
    this.done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(`generation ${generation} was not ready within ${timeoutMs / 1000} s`),
        timeoutMs,
      );
      this.#settle = (error) => {
        clearTimeout(timer);
        this.#settle = () => {};
        if (error) reject(error);
        else resolve();
      };
    });
  }

  ready(): void {
    if (--this.#waiting === 0) this.#settle();
  }

  fail(reason: string): void {
    this.#settle(new DroverError(ErrorCode.CHILD_FATAL, reason));
  }
}
