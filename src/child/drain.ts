// A child's drain: it stops accepting, answers the requests in flight (each with `Connection: close`),
// closes keep-alive connections that stay silent, tells the app (its drain signal, so it can end
// WebSockets and event streams cleanly), and exits once its last connection is gone. A drain has a
// deadline: past it, the connections left (a long poll, an event stream, a WebSocket) are closed.
import type { WorkerSlots } from "./accept/worker-slots.ts";

// While draining, a connection silent for this long is closed rather than left to the keep-alive timeout.
const IDLE_GRACE_MS = 1_000;

export interface DrainParts {
  readonly slots: WorkerSlots;
  /** Stops accepting for good (listeners closed, accept balance off). */
  readonly stopAccepting: () => void;
  /** The drain has begun: marks the scoreboard. */
  readonly began: () => void;
  /** The deadline passed with connections left. */
  readonly overdue: (left: number) => void;
}

export class Drain {
  readonly #parts: DrainParts;
  readonly #app = new AbortController();
  #started = false;

  constructor(parts: DrainParts) {
    this.#parts = parts;
  }

  /** Aborted when the drain begins: the app's cue to close long-lived connections. */
  get signal(): AbortSignal {
    return this.#app.signal;
  }

  get started(): boolean {
    return this.#started;
  }

  /** Begins the drain, to end within `deadlineMs`; a second call changes nothing. */
  start(deadlineMs: number): void {
    if (this.#started) return;
    this.#started = true;
    const { slots } = this.#parts;
    this.#parts.began();
    this.#parts.stopAccepting();
    slots.drain();
    setInterval(() => slots.closeIdle(IDLE_GRACE_MS), IDLE_GRACE_MS / 4).unref();
    setTimeout(() => {
      if (slots.busy === 0) return;
      this.#parts.overdue(slots.busy);
      slots.closeAll();
    }, deadlineMs).unref();
    this.#app.abort();
  }
}
