// A drone's worker records, one per call it may run at once (spec.concurrency), as mod_status shows
// them: `S` until it is ready, `_` free, `W` running a call (its method as the request), `K` held by an
// open session between its calls, `G` once it stops. A session holds one record from its CONNECT to
// its DISCONNECT: the master counts it as a busy slot.
import type { Scoreboard, WorkerRecordWriter } from "../scoreboard/index.ts";
import { WorkerState } from "../scoreboard/index.ts";

interface Slot {
  readonly writer: WorkerRecordWriter;
  /** A call runs on it. */
  busy: boolean;
  /** The session it is held by. */
  session: string | undefined;
}

export class WorkerRecords {
  readonly #slots: Slot[];
  #stopping = false;
  #closed = false;

  constructor(scoreboard: Scoreboard, slot: number, count: number) {
    this.#slots = Array.from({ length: count }, (_, worker) => ({
      writer: scoreboard.workerWriter(slot, worker),
      busy: false,
      session: undefined,
    }));
    this.#setAll(WorkerState.Starting);
  }

  /** Serving from now on: the free records show `_`. */
  ready(): void {
    for (const slot of this.#slots) this.#show(slot);
  }

  /** Stopping: every record shows `G` from now on. */
  graceful(): void {
    this.#stopping = true;
    this.#setAll(WorkerState.Graceful);
  }

  /** The scoreboard is unmapped: no more writes. */
  close(): void {
    this.#closed = true;
  }

  /** A record neither running a call nor held by a session, or undefined when there is none. */
  free(): number | undefined {
    const index = this.#slots.findIndex((slot) => !slot.busy && slot.session === undefined);
    return index === -1 ? undefined : index;
  }

  /** Whether `worker` runs a call now. */
  busy(worker: number): boolean {
    return this.#at(worker).busy;
  }

  callStarted(worker: number, method: string, now: number): void {
    const slot = this.#at(worker);
    slot.busy = true;
    if (!this.#closed) slot.writer.requestStarted(method, now);
  }

  callFinished(worker: number, bytes: number, now: number): void {
    const slot = this.#at(worker);
    slot.busy = false;
    if (!this.#closed) slot.writer.requestFinished(bytes, now, this.#idleState(slot));
  }

  /** `session` holds `worker` until release(). */
  hold(worker: number, session: string): void {
    const slot = this.#at(worker);
    slot.session = session;
    this.#show(slot);
  }

  release(worker: number): void {
    const slot = this.#at(worker);
    slot.session = undefined;
    this.#show(slot);
  }

  #idleState(slot: Slot): WorkerState {
    if (this.#stopping) return WorkerState.Graceful;
    return slot.session === undefined ? WorkerState.Ready : WorkerState.Keepalive;
  }

  #show(slot: Slot): void {
    if (!slot.busy && !this.#closed) slot.writer.setState(this.#idleState(slot));
  }

  #setAll(state: WorkerState): void {
    if (this.#closed) return;
    for (const slot of this.#slots) slot.writer.setState(state);
  }

  #at(worker: number): Slot {
    const slot = this.#slots[worker];
    if (!slot) throw new RangeError(`worker ${worker} is not one of this drone's ${this.#slots.length}`);
    return slot;
  }
}
