// Reading the whole scoreboard: a snapshot for status, metrics and the master's maintenance. It never
// stalls its thread for long (a budget for records that stay mid-update, see seqlock.ts), and records
// holding values out of range are flagged damaged and left out of every total (see validate.ts). The
// totals are the listener pool's: drones are in `processes` (role "drone") and their services in
// `services`, and neither counts in them.
import { Header } from "./layout.ts";
import {
  type HeaderFields,
  type ProcessRecord,
  readHeader,
  readProcess,
  readWorker,
  type WorkerSnapshot,
} from "./records.ts";
import { ReadBudget } from "./seqlock.ts";
import { readServiceRecord, type ServiceSnapshot } from "./service-records.ts";
import { isBusyWorkerState, ProcessState, WorkerState } from "./states.ts";
import { recordBounds } from "./validate.ts";
import type { ScoreboardView } from "./view.ts";

export type { ProcessRecord, WorkerSnapshot } from "./records.ts";
export type { HistogramFields, ServiceSnapshot } from "./service-records.ts";

export interface ProcessSnapshot extends ProcessRecord {
  /** A drone's service, by the name in its service record; undefined for a child, or if unknown. */
  readonly service: string | undefined;
  /** Sums over this child's worker records, damaged ones left out. */
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
  /** When the last reload or restart failed (0: none has). */
  readonly failedRestartTime: number;
  /** Children the maintenance pass may spawn per second now. */
  readonly spawnRate: number;
  /** One more than the highest child slot in use, as the master keeps it. */
  readonly slotBound: number;
  /** The first drone slot (serverLimit when there are none), and the service records there are. */
  readonly droneBase: number;
  readonly serviceLimit: number;
  /** Counted since the master started. */
  readonly counters: HeaderFields["counters"];
  /** False when the header stayed mid-update (its writer, the master, stopped in the middle). */
  readonly consistent: boolean;
  /** The header's fields whose values are out of range; empty when sound. */
  readonly damaged: readonly string[];
  /** Records flagged damaged: the header, process, worker and service records. */
  readonly damagedRecords: number;
  /** Every slot in use, children then drones, in slot order, damaged records included (each says so). */
  readonly processes: readonly ProcessSnapshot[];
  /** The dispatch pool's services, by record index, damaged records included (each says so). */
  readonly services: readonly ServiceSnapshot[];
  /** Sums over the children's records that are not damaged (drones count in none). */
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

/**
 * Whether a child takes no new connection: draining, or of an older generation than the header's. A
 * child of a newer one (a reload starting, before the header moves) is not quiescing.
 */
export function isQuiescing(snapshot: ScoreboardSnapshot, process: ProcessRecord): boolean {
  return process.quiescing || process.generation < snapshot.generation;
}

// A snapshot retries when the master rewrote the header while it read the slots (a reclaimed slot's
// counts move into the header's totals); after this many tries it keeps the last one.
const SNAPSHOT_TRIES = 5;

/**
 * Everything on the scoreboard, each record copied consistently, and the totals consistent with the
 * slots: a child's counts are in its slot or in the retired totals, never in both or neither. `now`
 * bounds the times a record may hold.
 */
export function snapshot(view: ScoreboardView, now = Date.now()): ScoreboardSnapshot {
  const budget = new ReadBudget();
  for (let attempt = 1; ; attempt++) {
    const headerSeq = Atomics.load(view.i32, Header.seq);
    const result = readAll(view, budget, now);
    const settled = (headerSeq & 1) === 0 && Atomics.load(view.i32, Header.seq) === headerSeq;
    // A header that stayed mid-update will not settle by reading again.
    if (settled || !result.consistent || attempt >= SNAPSHOT_TRIES) return result;
  }
}

function readAll(view: ScoreboardView, budget: ReadBudget, now: number): ScoreboardSnapshot {
  const header = readHeader(view, budget, now);
  const bounds = recordBounds(header, header.damaged, view.workerLimit, now, view);
  const headerSound = (field: string) => !header.damaged.includes(field);
  let damagedRecords = header.damaged.length > 0 ? 1 : 0;

  const services: ServiceSnapshot[] = [];
  // A drone names its service by record index; a damaged record names none.
  const serviceNames = new Map<number, string>();
  for (let index = 0; index < view.serviceLimit; index++) {
    const service = readServiceRecord(view, index, budget, bounds);
    if (!service) continue;
    services.push(service);
    if (service.damaged.length > 0) damagedRecords++;
    else serviceNames.set(index, service.name);
  }
  const totals = {
    children: 0,
    busyWorkers: 0,
    idleWorkers: 0,
    requests: headerSound("retiredRequests") ? header.retired.requests : 0,
    bytes: headerSound("retiredBytes") ? header.retired.bytes : 0,
    connections: headerSound("retiredConnections") ? header.retired.connections : 0,
  };

  const processes: ProcessSnapshot[] = [];
  for (let slot = 0; slot < view.serverLimit; slot++) {
    const record = readProcess(view, slot, budget, bounds);
    if (record.state === ProcessState.Free) continue;
    const sound = record.damaged.length === 0;
    if (!sound) damagedRecords++;
    const workers: WorkerSnapshot[] = [];
    let requests = 0;
    let bytes = 0;
    let busyWorkers = 0;
    let idleWorkers = 0;
    let consistent = record.consistent;
    const workerCount = Math.max(0, Math.min(record.workerCount, view.workerLimit));
    for (let worker = 0; worker < workerCount; worker++) {
      const w = readWorker(view, slot, worker, record.pid, budget, bounds);
      workers.push(w);
      consistent &&= w.consistent;
      if (w.damaged.length > 0) {
        damagedRecords++;
        continue;
      }
      requests += w.requests;
      bytes += w.bytes;
      if (isBusyWorkerState(w.state)) busyWorkers++;
      else if (w.state === WorkerState.Ready) idleWorkers++;
    }
    const service = record.serviceIndex === undefined ? undefined : serviceNames.get(record.serviceIndex);
    processes.push({ ...record, service, requests, bytes, busyWorkers, idleWorkers, workers, consistent });
    if (record.role === "drone") continue;
    // Each record counts for itself: a sound worker record under a damaged process record still does.
    if (sound) {
      totals.children++;
      totals.connections += record.connections;
    }
    totals.busyWorkers += busyWorkers;
    totals.idleWorkers += idleWorkers;
    totals.requests += requests;
    totals.bytes += bytes;
  }
  return {
    serverLimit: view.serverLimit,
    workerLimit: view.workerLimit,
    generation: header.generation,
    masterPid: header.masterPid,
    startTime: header.startTime,
    restartTime: header.restartTime,
    failedRestartTime: header.failedRestartTime,
    spawnRate: header.spawnRate,
    slotBound: header.slotBound,
    droneBase: view.droneBase,
    serviceLimit: view.serviceLimit,
    counters: header.counters,
    consistent: header.consistent,
    damaged: header.damaged,
    damagedRecords,
    processes,
    services,
    totals,
  };
}
