// When a drone asks to be replaced: at its maxRequests-th call (every call counts, a session's too),
// or when a method calls ctx.retire() (OpenSRF's panic). The master learns it from `retire: true` on
// a DONE, said once: on the DONE of the call that asked, or the next one if that one was already sent.
// The drone serves on until the master tells it to quiesce.
import type { Logger } from "../log/logger.ts";

export class Retirement {
  readonly #maxRequests: number;
  readonly #log: Logger;
  #served = 0;
  #pending = false;
  #told = false;

  constructor(maxRequests: number, log: Logger) {
    this.#maxRequests = maxRequests;
    this.#log = log;
  }

  /** Counts a call that starts; true when it is the one that reaches maxRequests. */
  served(): boolean {
    this.#served++;
    if (this.#maxRequests === 0 || this.#served !== this.#maxRequests) return false;
    this.#log.info(
      { maxRequests: this.#maxRequests },
      `served maxRequests (${this.#maxRequests}) calls: asking the master to replace this drone`,
    );
    return true;
  }

  /** ctx.retire() from `method`. */
  asked(method: string): void {
    if (!this.#told && !this.#pending)
      this.#log.info({ method }, `${method} called ctx.retire(): asking the master to replace this drone`);
  }

  /** ctx.retire() from a call whose DONE is already sent: the next DONE says it. */
  later(): void {
    if (!this.#told) this.#pending = true;
  }

  /** Whether the DONE being sent says retire (`wanted`: its own call asked); true once in a drone's life. */
  tell(wanted: boolean): boolean {
    if (this.#told || !(wanted || this.#pending)) return false;
    this.#told = true;
    this.#pending = false;
    return true;
  }
}
