// Who gets which scoreboard slot. A new child takes a free slot; when serverLimit leaves none, a
// draining child of an older generation gives its own up first (the seed's "lost slot"): it leaves
// the shared scoreboard, goes on draining unseen, and the new child takes its place. A slot being
// handed over is reserved, so that nothing else takes it in between.
import type { ChildHandle } from "./child-handle.ts";
import type { ChildTable } from "./children.ts";

export class SlotClaims {
  readonly #table: ChildTable;
  readonly #reserved = new Set<number>();
  readonly #handovers = new Map<ChildHandle, (slot: number | undefined) => void>();

  constructor(table: ChildTable) {
    this.#table = table;
  }

  /** Slots below `limit` (a config's daemonsLimit) that no child owns nor is being handed, lowest first. */
  free(limit: number): number[] {
    const free: number[] = [];
    for (let slot = 0; slot < limit; slot++) {
      if (!this.#table.inSlot(slot) && !this.#reserved.has(slot)) free.push(slot);
    }
    return free;
  }

  /**
   * Asks `child` (draining) to give its slot up; resolves with the slot once it is free (reserved for
   * the caller, who must spawn into it or call release()), or undefined if the child kept it.
   */
  handOver(child: ChildHandle): Promise<number | undefined> {
    const pending = this.#handovers.get(child);
    if (pending) return Promise.resolve(undefined);
    this.#reserved.add(child.slot);
    return new Promise((resolve) => {
      this.#handovers.set(child, resolve);
      child.detach();
    });
  }

  /** The child left its slot (it detached, or exited): the hand-over waiting for it gets the slot. */
  freed(child: ChildHandle): void {
    const resolve = this.#handovers.get(child);
    if (!resolve) return;
    this.#handovers.delete(child);
    resolve(child.slot);
  }

  /** A reserved slot is used (its child was spawned) or given back. */
  release(slot: number): void {
    this.#reserved.delete(slot);
  }

  /** Whether `slot` is being handed over to a child about to be spawned. */
  isReserved(slot: number): boolean {
    return this.#reserved.has(slot);
  }

  /** Whether a hand-over waits for `child`. */
  handingOver(child: ChildHandle): boolean {
    return this.#handovers.has(child);
  }
}
