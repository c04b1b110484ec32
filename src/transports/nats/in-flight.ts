// The calls a master took over NATS and has not answered yet, by their reply subject: a cancel
// (published to CANCEL_SUBJECT by the caller, heard by every master) aborts the one it names here.
export class InFlight {
  readonly #calls = new Map<string, AbortController>();

  get size(): number {
    return this.#calls.size;
  }

  /** A call with reply subject `reply`: its signal, and what to run once it is answered. */
  add(reply: string): { signal: AbortSignal; settled: () => void } {
    const controller = new AbortController();
    this.#calls.set(reply, controller);
    return { signal: controller.signal, settled: () => this.#calls.delete(reply) };
  }

  /** The caller of `reply` gave up on it. */
  cancel(reply: string): void {
    this.#calls.get(reply)?.abort(new Error("the caller cancelled the call"));
  }

  /** Every call: the master stops. */
  cancelAll(): void {
    for (const controller of this.#calls.values()) controller.abort(new Error("the master stopped"));
    this.#calls.clear();
  }
}
