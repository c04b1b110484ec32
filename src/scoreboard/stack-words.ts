// The two words of a process record through which the master asks a child for its JavaScript stack:
// the master increments `stackRequest` (MasterRecords.requestStack), the child's watchdog thread
// stores the number of the request it answered in `stackReply`. Single words, stored and loaded with
// Atomics outside the seqlock, so a thread that never takes part in the record's seqlock can use them.
import { Proc } from "./layout.ts";
import type { ScoreboardView } from "./view.ts";

export class StackWords {
  readonly #view: ScoreboardView;
  readonly #base: number;

  constructor(view: ScoreboardView, slot: number) {
    this.#view = view;
    this.#base = view.processBase(slot);
  }

  /** The number of the master's latest request. */
  requested(): number {
    return Atomics.load(this.#view.i32, this.#base + Proc.stackRequest);
  }

  /** The number of the last request the child answered. */
  answered(): number {
    return Atomics.load(this.#view.i32, this.#base + Proc.stackReply);
  }

  /** The child's side: request `request` is answered (its stack, or why there is none, is logged). */
  answer(request: number): void {
    Atomics.store(this.#view.i32, this.#base + Proc.stackReply, request);
  }

  /** The pid that owns the slot now (0 while it is free or being prepared). */
  owner(): number {
    return Atomics.load(this.#view.i32, this.#base + Proc.pid);
  }
}
