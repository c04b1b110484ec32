// The calls a master took over NATS and has not answered yet, by their reply subject: a cancel
// (published to CANCEL_SUBJECT by the caller, heard by every master) cancels the one it names here.
import type { CallHandle } from "../seam.ts";

// A cancel of a call not here yet (a call handed from another host may come after its cancel) is
// remembered this long, and so many at most.
const CANCEL_KEPT_MS = 10_000;
const MAX_CANCELS_KEPT = 10_000;

export class InFlight {
  readonly #calls = new Map<string, CallHandle>();
  /** Cancels of calls it did not hold, by reply subject: when each came. */
  readonly #cancels = new Map<string, number>();

  get size(): number {
    return this.#calls.size;
  }

  /**
   * A call with reply subject `reply` held by the dispatcher as `handle` (the hot path: no signal per
   * call). The call's reply runs `settled(reply)` once it is answered.
   */
  track(reply: string, handle: CallHandle): void {
    this.#calls.set(reply, handle);
  }

  /** A call that needs a signal (a session's opening, a JetStream call): its signal, and what to run once answered. */
  add(reply: string): { signal: AbortSignal; settled: () => void } {
    const controller = new AbortController();
    this.#calls.set(reply, { cancel: (reason) => controller.abort(reason) });
    return { signal: controller.signal, settled: () => this.settled(reply) };
  }

  /** The call of `reply` was answered. */
  settled(reply: string): void {
    this.#calls.delete(reply);
  }

  /** The caller of `reply` gave up on it. */
  cancel(reply: string): void {
    const call = this.#calls.get(reply);
    if (call) {
      call.cancel(new Error("the caller cancelled the call"));
      return;
    }
    if (this.#cancels.size >= MAX_CANCELS_KEPT)
      this.#cancels.delete(this.#cancels.keys().next().value as string);
    this.#cancels.set(reply, performance.now());
  }

  /** Whether the caller of `reply` cancelled it before it came here. */
  cancelledBefore(reply: string): boolean {
    if (this.#cancels.size === 0) return false;
    const at = this.#cancels.get(reply);
    if (at === undefined) return false;
    this.#cancels.delete(reply);
    return performance.now() - at < CANCEL_KEPT_MS;
  }

  /** Every call: the master stops. */
  cancelAll(): void {
    for (const call of this.#calls.values()) call.cancel(new Error("the master stopped"));
    this.#calls.clear();
  }
}
