// The writers of a child's records. Each record has exactly one writer: a child writes its own process
// record and worker records while it lives; the master writes a slot only while no child owns it
// (before the fork and after the reap, see master-records.ts). Updates cost no system call and
// allocate nothing, so they can run on every request. Writers cache the view's arrays and take new
// ones when the view is rebound (a draining child detached from the shared scoreboard).
import { Proc, ProcF64, WORKER_REQUEST_BYTES, WORKER_REQUEST_OFFSET, Work, WorkF64 } from "./layout.ts";
import { beginWrite, endWrite } from "./seqlock.ts";
import { type ProcessState, WorkerState } from "./states.ts";
import type { ScoreboardView } from "./view.ts";

const encoder = new TextEncoder();

/** Writes the process record of the child that owns `slot`. */
export class ProcessRecordWriter {
  readonly #view: ScoreboardView;
  #epoch: number;
  #i32: Int32Array;
  #f64: Float64Array;
  readonly #base: number;

  constructor(view: ScoreboardView, slot: number) {
    this.#view = view;
    this.#epoch = view.epoch;
    this.#i32 = view.i32;
    this.#f64 = view.f64;
    this.#base = view.processBase(slot);
  }

  #sync(): void {
    if (this.#epoch === this.#view.epoch) return;
    this.#epoch = this.#view.epoch;
    this.#i32 = this.#view.i32;
    this.#f64 = this.#view.f64;
  }

  /** Claims the record for this process: first thing a child does. */
  claim(pid: number, now: number): void {
    this.#update(() => {
      this.#i32[this.#base + Proc.pid] = pid;
      this.#f64[this.#base / 2 + ProcF64.heartbeat] = now;
    });
  }

  setState(state: ProcessState): void {
    this.#update(() => {
      this.#i32[this.#base + Proc.state] = state;
    });
  }

  /** This child takes no new connection from now on (it is draining or retiring). */
  setQuiescing(): void {
    this.#update(() => {
      this.#i32[this.#base + Proc.quiescing] = 1;
    });
  }

  /** Proves the event loop turns; the master treats an old stamp as a hung child. */
  heartbeat(now: number, rss: number, heapUsed: number): void {
    const f = this.#base / 2;
    this.#update(() => {
      this.#f64[f + ProcF64.heartbeat] = now;
      this.#f64[f + ProcF64.rss] = rss;
      this.#f64[f + ProcF64.heapUsed] = heapUsed;
    });
  }

  /**
   * The connections the child holds now. One word, read on its own (by peers balancing their accepts),
   * so a plain atomic store does: no seqlock round.
   */
  setOpenConnections(count: number): void {
    this.#sync();
    Atomics.store(this.#i32, this.#base + Proc.open, count);
  }

  /** A request went into the slow lane, which now holds `waiting`. */
  slowLaneQueued(waiting: number): void {
    const f = this.#base / 2;
    this.#update(() => {
      this.#f64[f + ProcF64.slowLaneRequests] = (this.#f64[f + ProcF64.slowLaneRequests] ?? 0) + 1;
    });
    this.setSlowLaneWaiting(waiting);
  }

  /** A request left the slow lane without running (its client was gone), which now holds `waiting`. */
  slowLaneShed(waiting: number): void {
    const f = this.#base / 2;
    this.#update(() => {
      this.#f64[f + ProcF64.slowLaneShed] = (this.#f64[f + ProcF64.slowLaneShed] ?? 0) + 1;
    });
    this.setSlowLaneWaiting(waiting);
  }

  /** A connection waiting without a request was closed to make room for a new one. */
  countEviction(): void {
    const f = this.#base / 2;
    this.#update(() => {
      this.#f64[f + ProcF64.evicted] = (this.#f64[f + ProcF64.evicted] ?? 0) + 1;
    });
  }

  /** Requests waiting in the slow lane now: one word, like setOpenConnections. */
  setSlowLaneWaiting(waiting: number): void {
    this.#sync();
    Atomics.store(this.#i32, this.#base + Proc.slowLane, waiting);
  }

  /** Runs once per accepted connection, so it is written out rather than through #update. */
  countConnection(): void {
    this.#sync();
    const seq = this.#base + Proc.seq;
    beginWrite(this.#i32, seq);
    this.#f64[this.#base / 2 + ProcF64.connections] =
      (this.#f64[this.#base / 2 + ProcF64.connections] ?? 0) + 1;
    endWrite(this.#i32, seq);
  }

  #update(write: () => void): void {
    this.#sync();
    const seq = this.#base + Proc.seq;
    beginWrite(this.#i32, seq);
    write();
    endWrite(this.#i32, seq);
  }
}

/** Writes one worker record of the child that owns it. */
export class WorkerRecordWriter {
  readonly #view: ScoreboardView;
  readonly #offset: number;
  readonly #base: number;
  #epoch: number;
  #i32: Int32Array;
  #f64: Float64Array;
  #request: Uint8Array;

  constructor(view: ScoreboardView, slot: number, worker: number) {
    this.#view = view;
    this.#offset = view.workerOffset(slot, worker);
    this.#base = this.#offset / 4;
    this.#epoch = view.epoch;
    this.#i32 = view.i32;
    this.#f64 = view.f64;
    this.#request = this.#requestBytes();
  }

  #requestBytes(): Uint8Array {
    const start = this.#offset + WORKER_REQUEST_OFFSET;
    return this.#view.u8.subarray(start, start + WORKER_REQUEST_BYTES);
  }

  #sync(): void {
    if (this.#epoch === this.#view.epoch) return;
    this.#epoch = this.#view.epoch;
    this.#i32 = this.#view.i32;
    this.#f64 = this.#view.f64;
    this.#request = this.#requestBytes();
  }

  setState(state: WorkerState): void {
    this.#sync();
    const seq = this.#base + Work.seq;
    beginWrite(this.#i32, seq);
    this.#i32[this.#base + Work.state] = state;
    endWrite(this.#i32, seq);
  }

  /**
   * A request arrived: `request` is what the status page shows ("GET /path"), cut to fit; undefined
   * keeps the text of this worker's last request (the same request line again need not be re-encoded).
   */
  requestStarted(request: string | undefined, now: number): void {
    this.#sync();
    const seq = this.#base + Work.seq;
    beginWrite(this.#i32, seq);
    this.#i32[this.#base + Work.state] = WorkerState.Writing;
    if (request !== undefined)
      this.#i32[this.#base + Work.requestLength] = encoder.encodeInto(request, this.#request).written;
    this.#f64[this.#base / 2 + WorkF64.requestStart] = now;
    endWrite(this.#i32, seq);
  }

  /** The reply is sent; the worker now waits on its keep-alive connection, or for a new one. */
  requestFinished(bytes: number, now: number, next: WorkerState = WorkerState.Ready): void {
    this.#sync();
    const seq = this.#base + Work.seq;
    const f = this.#base / 2;
    beginWrite(this.#i32, seq);
    this.#i32[this.#base + Work.state] = next;
    this.#f64[f + WorkF64.requests] = (this.#f64[f + WorkF64.requests] ?? 0) + 1;
    this.#f64[f + WorkF64.bytes] = (this.#f64[f + WorkF64.bytes] ?? 0) + bytes;
    this.#f64[f + WorkF64.lastUsed] = now;
    endWrite(this.#i32, seq);
  }
}
