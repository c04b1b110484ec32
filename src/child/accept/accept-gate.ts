// Whether a child accepts connections: it stops while any reason holds (no worker slot can be had;
// far more connections than its peers) and starts again once none does. The listeners are closed for
// good when the child drains, which no reason can undo.
import type { ChildListeners } from "./listeners.ts";

export type BlockReason = "saturated" | "ahead";

export class AcceptGate {
  readonly #blocked = new Set<BlockReason>();
  #listeners: ChildListeners | undefined;
  readonly #failed: (error: unknown) => void;

  /** `failed` is told when the listeners cannot be opened again (EMFILE, say). */
  constructor(failed: (error: unknown) => void) {
    this.#failed = failed;
  }

  /** The listeners to open and close; until set, the gate only remembers. */
  attach(listeners: ChildListeners): void {
    this.#listeners = listeners;
  }

  block(reason: BlockReason): void {
    this.#blocked.add(reason);
    this.#listeners?.pause();
  }

  unblock(reason: BlockReason): void {
    if (!this.#blocked.delete(reason) || this.#blocked.size > 0) return;
    // A resume can fail (no descriptor left for the duplicate): review D16, the child is then sick.
    this.#listeners?.resume().catch(this.#failed);
  }
}
