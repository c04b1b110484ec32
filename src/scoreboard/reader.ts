// Reading the scoreboard: consistent copies of records, and a whole snapshot for status and metrics.

import { isRunning } from "../util/process-alive.ts";
import {
  HEADER_BYTES,
  Header,
  HeaderF64,
  PROCESS_RECORD_BYTES,
  Proc,
  ProcF64,
  WORKER_RECORD_BYTES,
  WORKER_REQUEST_OFFSET,
  Work,
  WorkF64,
} from "./layout.ts";
import { copyRecord } from "./seqlock.ts";
import { isBusyWorkerState, ProcessState, WorkerState, workerStateLetter } from "./states.ts";
import type { ScoreboardView } from "./view.ts";

export interface WorkerSnapshot {
  readonly worker: number;
  readonly state: WorkerState;
  /** The mod_status letter of `state`. */
  readonly letter: string;
  readonly requests: number;
  readonly bytes: number;
  /** The request in progress, or the last one served ("GET /path"). */
  readonly request: string;
  readonly requestStart: number;
  readonly lastUsed: number;
  /** False when the record's writer died mid-update: its fields may mix old and new values. */
  readonly consistent: boolean;
}

export interface ProcessRecord {
  readonly slot: number;
  readonly pid: number;
  readonly generation: number;
  readonly quiescing: boolean;
  readonly state: ProcessState;
  /** Worker slots this child has (workersPerChild of its generation). */
  readonly workerCount: number;
  /** Connections it holds now. */
  readonly openConnections: number;
  /** Requests waiting in its slow lane now, and those that have gone through it. */
  readonly slowLaneWaiting: number;
  readonly slowLaneRequests: number;
  readonly startTime: number;
  readonly heartbeat: number;
  readonly connections: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly consistent: boolean;
}

export interface ProcessSnapshot extends ProcessRecord {
  /** Sums over this child's worker records. */
  readonly requests: number;
  readonly bytes: number;
  readonly busyWorkers: number;
  readonly idleWorkers: number;
  readonly workers: readonly WorkerSnapshot[];
}

export interface ScoreboardSnapshot {
  readonly serverLimit: number;
  readonly workerLimit: number;
  readonly generation: number;
  readonly masterPid: number;
  readonly startTime: number;
  readonly restartTime: number;
  /** Children the maintenance pass may spawn per second now. */
  readonly spawnRate: number;
  /** Counted since the master started. */
  readonly counters: {
    readonly gracefulRestarts: number;
    readonly hardRestarts: number;
    /** Children forked. */
    readonly childrenStarted: number;
    /** Children that exited without being asked to: crashed, killed, or unable to initialise. */
    readonly childrenFailed: number;
  };
  /** Every child slot in use, in slot order. */
  readonly processes: readonly ProcessSnapshot[];
  readonly totals: {
    readonly children: number;
    readonly busyWorkers: number;
    readonly idleWorkers: number;
    /** Including children that have exited. */
    readonly requests: number;
    readonly bytes: number;
    readonly connections: number;
  };
}

/** Whether a child takes no new connection: of an older generation than the snapshot's, or draining. */
export function isQuiescing(snapshot: ScoreboardSnapshot, process: ProcessRecord): boolean {
  return process.quiescing || process.generation !== snapshot.generation;
}

// Records are copied here, then decoded. Every record kind is the same size.
const scratchBuffer = new ArrayBuffer(Math.max(HEADER_BYTES, PROCESS_RECORD_BYTES, WORKER_RECORD_BYTES));
const scratch = {
  i32: new Int32Array(scratchBuffer),
  f64: new Float64Array(scratchBuffer),
  u8: new Uint8Array(scratchBuffer),
};
const decoder = new TextDecoder();
const alwaysAlive = () => true;

/** A consistent copy of the process record of `slot`. */
export function readProcess(view: ScoreboardView, slot: number): ProcessRecord {
  const base = view.processBase(slot);
  const { i32, f64 } = scratch;
  const consistent = copyRecord(view.i32, base, i32, () => isRunning(view.i32[base + Proc.pid] ?? 0));
  return {
    slot,
    pid: i32[Proc.pid] ?? 0,
    generation: i32[Proc.generation] ?? 0,
    quiescing: i32[Proc.quiescing] === 1,
    state: (i32[Proc.state] ?? ProcessState.Free) as ProcessState,
    workerCount: i32[Proc.workers] ?? 0,
    openConnections: i32[Proc.open] ?? 0,
    slowLaneWaiting: i32[Proc.slowLane] ?? 0,
    slowLaneRequests: f64[ProcF64.slowLaneRequests] ?? 0,
    startTime: f64[ProcF64.startTime] ?? 0,
    heartbeat: f64[ProcF64.heartbeat] ?? 0,
    connections: f64[ProcF64.connections] ?? 0,
    rss: f64[ProcF64.rss] ?? 0,
    heapUsed: f64[ProcF64.heapUsed] ?? 0,
    consistent,
  };
}

/** A consistent copy of one worker record; `pid` is its child's, to tell a dead writer from a slow one. */
export function readWorker(view: ScoreboardView, slot: number, worker: number, pid: number): WorkerSnapshot {
  const base = view.workerOffset(slot, worker) / 4;
  const { i32, f64, u8 } = scratch;
  const consistent = copyRecord(view.i32, base, i32, () => isRunning(pid));
  const state = (i32[Work.state] ?? WorkerState.Dead) as WorkerState;
  const length = Math.min(i32[Work.requestLength] ?? 0, WORKER_RECORD_BYTES - WORKER_REQUEST_OFFSET);
  return {
    worker,
    state,
    letter: workerStateLetter(state),
    requests: f64[WorkF64.requests] ?? 0,
    bytes: f64[WorkF64.bytes] ?? 0,
    request: decoder.decode(u8.subarray(WORKER_REQUEST_OFFSET, WORKER_REQUEST_OFFSET + Math.max(0, length))),
    requestStart: f64[WorkF64.requestStart] ?? 0,
    lastUsed: f64[WorkF64.lastUsed] ?? 0,
    consistent,
  };
}

/**
 * The fewest connections any other accepting child of `generation` holds (ready, not quiescing), or
 * undefined when there is none. Reads one word per slot: cheap enough for every accepted connection.
 */
export function fewestOpenConnections(
  view: ScoreboardView,
  generation: number,
  exceptSlot: number,
): number | undefined {
  let fewest: number | undefined;
  for (let slot = 0; slot < view.serverLimit; slot++) {
    if (slot === exceptSlot) continue;
    const base = view.processBase(slot);
    if (
      Atomics.load(view.i32, base + Proc.state) !== ProcessState.Ready ||
      Atomics.load(view.i32, base + Proc.generation) !== generation ||
      Atomics.load(view.i32, base + Proc.quiescing) !== 0
    ) {
      continue;
    }
    const open = Atomics.load(view.i32, base + Proc.open);
    if (fewest === undefined || open < fewest) fewest = open;
  }
  return fewest;
}

// A snapshot retries when the master rewrote the header while it read the slots (a reclaimed slot's
// counts move into the header's totals); after this many tries it keeps the last one.
const SNAPSHOT_TRIES = 5;

/**
 * Everything on the scoreboard, each record copied consistently, and the totals consistent with the
 * slots: a child's counts are in its slot or in the retired totals, never in both or neither.
 */
export function snapshot(view: ScoreboardView): ScoreboardSnapshot {
  for (let attempt = 1; ; attempt++) {
    const headerSeq = Atomics.load(view.i32, 0);
    const result = readAll(view);
    if ((headerSeq & 1) === 0 && Atomics.load(view.i32, 0) === headerSeq) return result;
    if (attempt >= SNAPSHOT_TRIES) return result;
  }
}

function readAll(view: ScoreboardView): ScoreboardSnapshot {
  copyRecord(view.i32, 0, scratch.i32, alwaysAlive);
  const header = {
    generation: scratch.i32[Header.generation] ?? 0,
    masterPid: scratch.i32[Header.masterPid] ?? 0,
    startTime: scratch.f64[HeaderF64.startTime] ?? 0,
    restartTime: scratch.f64[HeaderF64.restartTime] ?? 0,
    spawnRate: scratch.i32[Header.spawnRate] ?? 0,
    counters: {
      gracefulRestarts: scratch.f64[HeaderF64.gracefulRestarts] ?? 0,
      hardRestarts: scratch.f64[HeaderF64.hardRestarts] ?? 0,
      childrenStarted: scratch.f64[HeaderF64.childrenStarted] ?? 0,
      childrenFailed: scratch.f64[HeaderF64.childrenFailed] ?? 0,
    },
  };
  const totals = {
    children: 0,
    busyWorkers: 0,
    idleWorkers: 0,
    requests: scratch.f64[HeaderF64.retiredRequests] ?? 0,
    bytes: scratch.f64[HeaderF64.retiredBytes] ?? 0,
    connections: scratch.f64[HeaderF64.retiredConnections] ?? 0,
  };

  const processes: ProcessSnapshot[] = [];
  for (let slot = 0; slot < view.serverLimit; slot++) {
    const record = readProcess(view, slot);
    if (record.state === ProcessState.Free) continue;
    const workers: WorkerSnapshot[] = [];
    let requests = 0;
    let bytes = 0;
    let busyWorkers = 0;
    let idleWorkers = 0;
    let consistent = record.consistent;
    for (let worker = 0; worker < Math.min(record.workerCount, view.workerLimit); worker++) {
      const w = readWorker(view, slot, worker, record.pid);
      workers.push(w);
      requests += w.requests;
      bytes += w.bytes;
      if (isBusyWorkerState(w.state)) busyWorkers++;
      else if (w.state === WorkerState.Ready) idleWorkers++;
      consistent &&= w.consistent;
    }
    processes.push({ ...record, requests, bytes, busyWorkers, idleWorkers, workers, consistent });
    totals.children++;
    totals.busyWorkers += busyWorkers;
    totals.idleWorkers += idleWorkers;
    totals.requests += requests;
    totals.bytes += bytes;
    totals.connections += record.connections;
  }
  return { serverLimit: view.serverLimit, workerLimit: view.workerLimit, ...header, processes, totals };
}
