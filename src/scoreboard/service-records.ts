// A service record of the dispatch pool: what the master knows of one service (its calls, backlog,
// sessions, drones and latency histograms), written by the master alone under the record's seqlock and
// read by anyone who maps the scoreboard. The master's counters live in its memory (dispatch/counters.ts);
// this is where they are published, so `drover status`, the status page and /metrics can show them.
import { DroverError, ErrorCode } from "../errors.ts";
import {
  HISTOGRAM_BUCKETS,
  HISTOGRAM_WORDS,
  SERVICE_NAME_BYTES,
  SERVICE_NAME_OFFSET,
  SERVICE_RECORD_BYTES,
  Svc,
  SvcF64,
} from "./layout.ts";
import { decodeRecordText, type RecordCheck } from "./records.ts";
import { beginWrite, copyRecord, endWrite, type ReadBudget, resetSequence } from "./seqlock.ts";
import { type RecordBounds, serviceDamage } from "./validate.ts";
import type { ScoreboardView } from "./view.ts";

/** A latency histogram: counts per bucket of LATENCY_BUCKETS_MS (not cumulative), the last for above. */
export interface HistogramFields {
  readonly counts: readonly number[];
  readonly count: number;
  readonly sumMs: number;
}

/** What happened to a service's calls since the master started (see dispatch/counters.ts). */
export interface ServiceCounterFields {
  readonly calls: number;
  readonly completed: number;
  readonly failed: number;
  readonly rejected: number;
  readonly expired: number;
  readonly cancelled: number;
  readonly droneExits: number;
  readonly retries: number;
  readonly poison: number;
  /** Taken out of the backlog and handed to another host over NATS, which answers them. */
  readonly handedOff: number;
  readonly sessionsOpened: number;
  /** Its drones forked, and those that exited without being asked to. */
  readonly dronesStarted: number;
  readonly dronesFailed: number;
}

/**
 * Where a service's NATS transport is: none, connecting, in its queue group ("taking"), out of it while
 * the backlog is full, its connection lost (reconnecting), or pulling from JetStream (at least once).
 * A service record holds the index.
 */
export const NATS_STATES = ["none", "connecting", "taking", "full", "disconnected", "pulling"] as const;
export type NatsState = (typeof NATS_STATES)[number];

/** What the master writes of one service (MasterRecords.writeService). */
export interface ServiceFields {
  readonly name: string;
  readonly generation: number;
  readonly drones: number;
  readonly idleDrones: number;
  readonly startingDrones: number;
  readonly backlog: number;
  readonly backlogHighWater: number;
  readonly sessionsOpen: number;
  readonly counters: ServiceCounterFields;
  readonly queueWait: HistogramFields;
  readonly runTime: HistogramFields;
  readonly nats: NatsState;
}

/** A service record as read: its fields and its index among the service records. */
export interface ServiceRecordFields extends ServiceFields {
  readonly index: number;
}

export interface ServiceSnapshot extends ServiceRecordFields, RecordCheck {}

const COUNTERS = [
  "calls",
  "completed",
  "failed",
  "rejected",
  "expired",
  "cancelled",
  "droneExits",
  "retries",
  "poison",
  "handedOff",
  "sessionsOpened",
  "dronesStarted",
  "dronesFailed",
] as const satisfies readonly (keyof ServiceCounterFields & keyof typeof SvcF64)[];
const GAUGES = [
  "sessionsOpen",
  "backlog",
  "backlogHighWater",
  "drones",
  "idleDrones",
  "startingDrones",
] as const satisfies readonly (keyof ServiceFields & keyof typeof SvcF64)[];

const encoder = new TextEncoder();
const nameBytes = new Uint8Array(SERVICE_NAME_BYTES);

/** Writes the record `index`; throws, writing nothing, on a name or histogram it cannot hold. */
export function writeServiceRecord(view: ScoreboardView, index: number, fields: ServiceFields): void {
  const offset = view.serviceOffset(index);
  const { read, written } = encoder.encodeInto(fields.name, nameBytes);
  if (fields.name.length === 0 || read < fields.name.length) {
    throw new DroverError(
      ErrorCode.SCOREBOARD_BAD_LIMITS,
      `service name ${JSON.stringify(fields.name.slice(0, 40))} is ${Buffer.byteLength(fields.name)} bytes: ` +
        `a scoreboard service record holds a name of 1 to ${SERVICE_NAME_BYTES} bytes (UTF-8); shorten the name.`,
    );
  }
  for (const name of ["queueWait", "runTime"] as const) {
    if (fields[name].counts.length !== HISTOGRAM_BUCKETS) {
      throw new DroverError(
        ErrorCode.SCOREBOARD_BAD_LIMITS,
        `${name} has ${fields[name].counts.length} buckets, the scoreboard ${HISTOGRAM_BUCKETS} ` +
          "(one per LATENCY_BUCKETS_MS bound, then the overflow): pass a Histogram of dispatch/counters.ts.",
      );
    }
  }
  const { i32, f64, u8 } = view;
  const base = offset / 4;
  const f = offset / 8;
  resetSequence(i32, base + Svc.seq);
  beginWrite(i32, base + Svc.seq);
  i32[base + Svc.inUse] = 1;
  i32[base + Svc.generation] = fields.generation;
  i32[base + Svc.nameLength] = written;
  u8.set(nameBytes.subarray(0, written), offset + SERVICE_NAME_OFFSET);
  for (const name of COUNTERS) f64[f + SvcF64[name]] = fields.counters[name];
  for (const name of GAUGES) f64[f + SvcF64[name]] = fields[name];
  writeHistogram(f64, f + SvcF64.queueWait, fields.queueWait);
  writeHistogram(f64, f + SvcF64.runTime, fields.runTime);
  f64[f + SvcF64.nats] = NATS_STATES.indexOf(fields.nats);
  endWrite(i32, base + Svc.seq);
}

/** Empties the record `index`: no service is shown for it until it is written again. */
export function clearServiceRecord(view: ScoreboardView, index: number): void {
  const offset = view.serviceOffset(index);
  const base = offset / 4;
  const { i32 } = view;
  resetSequence(i32, base + Svc.seq);
  beginWrite(i32, base + Svc.seq);
  i32.fill(0, base + Svc.inUse, base + SERVICE_RECORD_BYTES / 4);
  endWrite(i32, base + Svc.seq);
}

function writeHistogram(f64: Float64Array, at: number, h: HistogramFields): void {
  for (let bucket = 0; bucket < HISTOGRAM_BUCKETS; bucket++) f64[at + bucket] = h.counts[bucket] ?? 0;
  f64[at + HISTOGRAM_BUCKETS] = h.count;
  f64[at + HISTOGRAM_BUCKETS + 1] = h.sumMs;
}

// Records are copied here, then decoded.
const scratchBuffer = new ArrayBuffer(SERVICE_RECORD_BYTES);
const scratch = {
  i32: new Int32Array(scratchBuffer),
  f64: new Float64Array(scratchBuffer),
  u8: new Uint8Array(scratchBuffer),
};
// The master is the only writer of a service record, and a reader either is the master or outlives it briefly.
const alwaysAlive = () => true;

/** A consistent copy of the record `index`, checked against `bounds`; undefined when it holds no service. */
export function readServiceRecord(
  view: ScoreboardView,
  index: number,
  budget: ReadBudget,
  bounds: RecordBounds,
): ServiceSnapshot | undefined {
  const base = view.serviceOffset(index) / 4;
  // Most records are unused: a cleared one is passed over without a copy.
  if (Atomics.load(view.i32, base + Svc.inUse) === 0) return undefined;
  const { i32, f64, u8 } = scratch;
  const consistent = copyRecord(view.i32, base, i32, alwaysAlive, budget);
  const inUse = i32[Svc.inUse] ?? 0;
  if (inUse === 0) return undefined;
  const length = i32[Svc.nameLength] ?? 0;
  const lengthSound = length >= 1 && length <= SERVICE_NAME_BYTES;
  const bytes = u8.subarray(SERVICE_NAME_OFFSET, SERVICE_NAME_OFFSET + (lengthSound ? length : 0));
  const { text: name, sound: textSound } = decodeRecordText(bytes);
  const word = (at: number) => f64[at] ?? 0;
  const counters = Object.fromEntries(COUNTERS.map((n) => [n, word(SvcF64[n])])) as Record<
    (typeof COUNTERS)[number],
    number
  >;
  const fields: ServiceRecordFields = {
    index,
    name,
    generation: i32[Svc.generation] ?? 0,
    drones: word(SvcF64.drones),
    idleDrones: word(SvcF64.idleDrones),
    startingDrones: word(SvcF64.startingDrones),
    backlog: word(SvcF64.backlog),
    backlogHighWater: word(SvcF64.backlogHighWater),
    sessionsOpen: word(SvcF64.sessionsOpen),
    counters,
    queueWait: readHistogram(f64, SvcF64.queueWait),
    runTime: readHistogram(f64, SvcF64.runTime),
    // An index past the list (a damaged word) reads as none.
    nats: NATS_STATES[word(SvcF64.nats)] ?? "none",
  };
  const damaged = serviceDamage(fields, inUse, lengthSound && textSound, bounds);
  return { ...fields, consistent, damaged };
}

function readHistogram(f64: Float64Array, at: number): HistogramFields {
  return {
    counts: Array.from(f64.subarray(at, at + HISTOGRAM_BUCKETS)),
    count: f64[at + HISTOGRAM_BUCKETS] ?? 0,
    sumMs: f64[at + HISTOGRAM_WORDS - 1] ?? 0,
  };
}
