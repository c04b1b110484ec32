// A child's recycling limits: after so many connections or requests, above so much memory, or past
// an age, it asks the master to retire it (the master starts its replacement first, then tells it to
// drain). Each limit was drawn with jitter by the master, so a pool does not retire all at once.
import type { RetireReasonName } from "../protocol/messages.ts";
import type { ChildLimits } from "./spec.ts";

export class Retirement {
  readonly #limits: ChildLimits;
  readonly #retire: (reason: RetireReasonName) => void;
  #connections = 0;
  #requests = 0;
  #asked = false;
  readonly #ageTimer: NodeJS.Timeout | undefined;

  constructor(limits: ChildLimits, retire: (reason: RetireReasonName) => void) {
    this.#limits = limits;
    this.#retire = retire;
    if (limits.ageMs > 0) {
      this.#ageTimer = setTimeout(() => this.#ask("age"), limits.ageMs);
      this.#ageTimer.unref();
    }
  }

  connection(): void {
    if (this.#limits.connections > 0 && ++this.#connections >= this.#limits.connections)
      this.#ask("connections");
  }

  request(): void {
    if (this.#limits.requests > 0 && ++this.#requests >= this.#limits.requests) this.#ask("requests");
  }

  /** At each heartbeat: the child's resident memory now. */
  memory(rssBytes: number): void {
    if (this.#limits.memoryBytes > 0 && rssBytes > this.#limits.memoryBytes) this.#ask("memory");
  }

  stop(): void {
    clearTimeout(this.#ageTimer);
  }

  #ask(reason: RetireReasonName): void {
    if (this.#asked) return;
    this.#asked = true;
    this.#retire(reason);
  }
}
