// The calls a master took over NATS and has not answered yet, by their reply subject: a cancel
// (published to CANCEL_SUBJECT by the caller, heard by every master) cancels the one it names here.
import type { CallHandle } from "../seam.ts";

export class InFlight {
  readonly #calls = new Map<string, CallHandle>();

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
    this.#calls.get(reply)?.cancel(new Error("the caller cancelled the call"));
  }

  /** Every call: the master stops. */
  cancelAll(): void {
    for (const call of this.#calls.values()) call.cancel(new Error("the master stopped"));
    this.#calls.clear();
  }
}
