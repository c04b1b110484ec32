// Who gets which scoreboard slot. A new child takes a free slot; when serverLimit leaves none, a
// draining child of an older generation gives its own up first (the seed's "lost slot"): it leaves
// the shared scoreboard, goes on draining unseen, and the new child takes its place. A slot being
// handed over is reserved, so that nothing else takes it in between.
import { DEFAULTS } from "../../config/defaults.ts";
import { parseDuration } from "../../config/duration.ts";
import type { ResolvedConfig } from "../../config/types/resolved-config.ts";
import { type ChildHandle, KILL_GRACE_MS } from "../children/child-handle.ts";
import type { ChildTable } from "../children/children.ts";

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
   * Asks `child` (draining) to give its slot up within `answerMs`; resolves with the slot once it is
   * free (reserved for the caller, who must spawn into it or call release()), or undefined if another
   * hand-over of it is already under way.
   */
  handOver(child: ChildHandle, answerMs: number): Promise<number | undefined> {
    const pending = this.#handovers.get(child);
    if (pending) return Promise.resolve(undefined);
    this.#reserved.add(child.slot);
    return new Promise((resolve) => {
      this.#handovers.set(child, resolve);
      child.detach(answerMs);
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

/**
 * How long a child asked to give its slot up has to answer: its event loop may be busy with a long
 * synchronous job, so its heartbeat limit (not a short grace) tells a busy child from a stuck one.
 */
// With the heartbeat check off: as long as its default.
const DEFAULT_ANSWER_MS = parseDuration(DEFAULTS.heartbeatTimeout);

export function detachAnswerMs(config: Pick<ResolvedConfig, "heartbeatTimeout">): number {
  return Math.max(config.heartbeatTimeout > 0 ? config.heartbeatTimeout : DEFAULT_ANSWER_MS, KILL_GRACE_MS);
}
