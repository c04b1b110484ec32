// Reading one record: a consistent copy of its words (seqlock.ts), decoded, and checked for values out
// of range (validate.ts). The header, a child's or drone's process record, and one of its worker
// records (service records are read in service-records.ts).
import { isRunning } from "../util/process-alive.ts";
import {
  HEADER_BYTES,
  Header,
  HeaderF64,
  PROCESS_RECORD_BYTES,
  Proc,
  ProcessRole,
  ProcF64,
  WORKER_RECORD_BYTES,
  WORKER_REQUEST_BYTES,
  WORKER_REQUEST_OFFSET,
  Work,
  WorkF64,
} from "./layout.ts";
import { copyRecord, type ReadBudget } from "./seqlock.ts";
import { ProcessState, WorkerState, workerStateLetter } from "./states.ts";
import { headerDamage, processDamage, type RecordBounds, SOUND, workerDamage } from "./validate.ts";
import type { ScoreboardView } from "./view.ts";

export interface HeaderFields {
  readonly serverLimit: number;
  readonly workerLimit: number;
  readonly generation: number;
  readonly masterPid: number;
  readonly spawnRate: number;
  /** One more than the highest child slot in use (see layout.ts). */
  readonly slotBound: number;
  /** The first drone slot, and how many service records there are. */
  readonly droneBase: number;
  readonly serviceLimit: number;
  readonly startTime: number;
  readonly restartTime: number;
  /** Counts of children that have exited, folded in by the master. */
  readonly retired: { readonly requests: number; readonly bytes: number; readonly connections: number };
  /** When the last reload or restart failed (Date.now() ms), 0 if none has. */
  readonly failedRestartTime: number;
  readonly counters: {
    readonly gracefulRestarts: number;
    readonly hardRestarts: number;
    /** Reloads and restarts that failed: the generation serving carried on. */
    readonly failedRestarts: number;
    /** Children forked. */
    readonly childrenStarted: number;
    /** Children that exited without being asked to: crashed, killed, or unable to initialise. */
    readonly childrenFailed: number;
  };
}

export interface ProcessFields {
  readonly slot: number;
  /** One of the listener pool's children, or a drone of the dispatch pool. */
  readonly role: "child" | "drone";
  /** A drone's service record; undefined for a child. */
  readonly serviceIndex: number | undefined;
  readonly pid: number;
  readonly generation: number;
  readonly quiescing: boolean;
  readonly state: ProcessState;
  /** Worker slots this child has (workersPerChild of its generation; a drone's concurrency). */
  readonly workerCount: number;
  /** Connections it holds now. */
  readonly openConnections: number;
  /** Requests waiting in its slow lane now, and those that have gone through it. */
  readonly slowLaneWaiting: number;
  readonly slowLaneRequests: number;
  /** Requests dropped from its slow lane because their client left first. */
  readonly slowLaneShed: number;
  /** Connections it closed while they waited without a request, to make room for new ones. */
  readonly evicted: number;
  readonly startTime: number;
  readonly heartbeat: number;
  readonly connections: number;
  readonly rss: number;
  readonly heapUsed: number;
}

export interface WorkerFields {
  readonly worker: number;
  readonly state: WorkerState;
  /** The mod_status letter of `state`; "?" when the record is damaged. */
  readonly letter: string;
  readonly requests: number;
  readonly bytes: number;
  /** The request in progress, or the last one served ("GET /path"). */
  readonly request: string;
  readonly requestStart: number;
  readonly lastUsed: number;
}

/** What every record read says besides its fields. */
export interface RecordCheck {
  /** False when the record stayed mid-update (its writer died or stalled): fields may mix updates. */
  readonly consistent: boolean;
  /** The fields whose values are out of range (the memory was overwritten); empty when sound. */
  readonly damaged: readonly string[];
}

export interface HeaderRecord extends HeaderFields, RecordCheck {}
export interface ProcessRecord extends ProcessFields, RecordCheck {}
export interface WorkerSnapshot extends WorkerFields, RecordCheck {}

// Records are copied here, then decoded.
const scratchBuffer = new ArrayBuffer(Math.max(HEADER_BYTES, PROCESS_RECORD_BYTES, WORKER_RECORD_BYTES));
const scratch = {
  i32: new Int32Array(scratchBuffer),
  f64: new Float64Array(scratchBuffer),
  u8: new Uint8Array(scratchBuffer),
};
const strictText = new TextDecoder("utf-8", { fatal: true });
const lenientText = new TextDecoder();

/** Text a record holds: decoded as UTF-8, or as well as it goes when it is not (`sound` false). */
export function decodeRecordText(bytes: Uint8Array): { text: string; sound: boolean } {
  try {
    return { text: strictText.decode(bytes), sound: true };
  } catch {
    return { text: lenientText.decode(bytes), sound: false };
  }
}
// The master is the header's writer, and a reader either is the master or outlives it briefly.
const alwaysAlive = () => true;
// A pid of 0 means the master holds the slot (prepareSlot, reclaimSlot): it is the writer, and alive.
const writerAlive = (pid: number) => pid === 0 || isRunning(pid);

export function readHeader(view: ScoreboardView, budget: ReadBudget, now: number): HeaderRecord {
  const { i32, f64 } = scratch;
  const consistent = copyRecord(view.i32, Header.seq, i32, alwaysAlive, budget);
  const fields: HeaderFields = {
    serverLimit: i32[Header.serverLimit] ?? 0,
    workerLimit: i32[Header.workerLimit] ?? 0,
    generation: i32[Header.generation] ?? 0,
    masterPid: i32[Header.masterPid] ?? 0,
    spawnRate: i32[Header.spawnRate] ?? 0,
    // Stored with Atomics outside the seqlock: read it the same way.
    slotBound: Atomics.load(view.i32, Header.slotBound),
    droneBase: i32[Header.droneBase] ?? 0,
    serviceLimit: i32[Header.serviceLimit] ?? 0,
    startTime: f64[HeaderF64.startTime] ?? 0,
    restartTime: f64[HeaderF64.restartTime] ?? 0,
    retired: {
      requests: f64[HeaderF64.retiredRequests] ?? 0,
      bytes: f64[HeaderF64.retiredBytes] ?? 0,
      connections: f64[HeaderF64.retiredConnections] ?? 0,
    },
    counters: {
      gracefulRestarts: f64[HeaderF64.gracefulRestarts] ?? 0,
      hardRestarts: f64[HeaderF64.hardRestarts] ?? 0,
      childrenStarted: f64[HeaderF64.childrenStarted] ?? 0,
      childrenFailed: f64[HeaderF64.childrenFailed] ?? 0,
      failedRestarts: f64[HeaderF64.failedRestarts] ?? 0,
    },
    failedRestartTime: f64[HeaderF64.failedRestartTime] ?? 0,
  };
  return { ...fields, consistent, damaged: headerDamage(fields, view, now) };
}

/** A consistent copy of the process record of `slot`, checked against `bounds`. */
export function readProcess(
  view: ScoreboardView,
  slot: number,
  budget: ReadBudget,
  bounds: RecordBounds,
): ProcessRecord {
  const base = view.processBase(slot);
  const { i32, f64 } = scratch;
  const consistent = copyRecord(
    view.i32,
    base,
    i32,
    () => writerAlive(Atomics.load(view.i32, base + Proc.pid)),
    budget,
  );
  const words = {
    quiescing: i32[Proc.quiescing] ?? 0,
    role: i32[Proc.role] ?? ProcessRole.child,
    service: i32[Proc.service] ?? 0,
  };
  const drone = words.role === ProcessRole.drone;
  const fields: ProcessFields = {
    slot,
    role: drone ? "drone" : "child",
    serviceIndex: drone ? words.service : undefined,
    pid: i32[Proc.pid] ?? 0,
    generation: i32[Proc.generation] ?? 0,
    quiescing: words.quiescing === 1,
    state: (i32[Proc.state] ?? ProcessState.Free) as ProcessState,
    workerCount: i32[Proc.workers] ?? 0,
    openConnections: i32[Proc.open] ?? 0,
    slowLaneWaiting: i32[Proc.slowLane] ?? 0,
    slowLaneRequests: f64[ProcF64.slowLaneRequests] ?? 0,
    slowLaneShed: f64[ProcF64.slowLaneShed] ?? 0,
    evicted: f64[ProcF64.evicted] ?? 0,
    startTime: f64[ProcF64.startTime] ?? 0,
    heartbeat: f64[ProcF64.heartbeat] ?? 0,
    connections: f64[ProcF64.connections] ?? 0,
    rss: f64[ProcF64.rss] ?? 0,
    heapUsed: f64[ProcF64.heapUsed] ?? 0,
  };
  // A free slot is skipped by every reader: nothing in it is shown or counted.
  const damaged = fields.state === ProcessState.Free ? SOUND : processDamage(fields, words, bounds);
  return { ...fields, consistent, damaged };
}

/** A consistent copy of one worker record; `pid` is its child's, to tell a dead writer from a slow one. */
export function readWorker(
  view: ScoreboardView,
  slot: number,
  worker: number,
  pid: number,
  budget: ReadBudget,
  bounds: RecordBounds,
): WorkerSnapshot {
  const base = view.workerOffset(slot, worker) / 4;
  const { i32, f64, u8 } = scratch;
  const consistent = copyRecord(view.i32, base, i32, () => writerAlive(pid), budget);
  const state = (i32[Work.state] ?? WorkerState.Dead) as WorkerState;
  const length = i32[Work.requestLength] ?? 0;
  const lengthSound = length >= 0 && length <= WORKER_REQUEST_BYTES;
  const bytes = u8.subarray(WORKER_REQUEST_OFFSET, WORKER_REQUEST_OFFSET + (lengthSound ? length : 0));
  const { text: request, sound: textSound } = decodeRecordText(bytes);
  const fields: WorkerFields = {
    worker,
    state,
    letter: workerStateLetter(state),
    requests: f64[WorkF64.requests] ?? 0,
    bytes: f64[WorkF64.bytes] ?? 0,
    request,
    requestStart: f64[WorkF64.requestStart] ?? 0,
    lastUsed: f64[WorkF64.lastUsed] ?? 0,
  };
  const damaged = workerDamage(fields, lengthSound && textSound, bounds);
  return { ...fields, letter: damaged.length === 0 ? fields.letter : "?", consistent, damaged };
}
