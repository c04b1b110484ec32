// Where everything lives in the scoreboard. The memory is a header, then one process record per slot
// (serverLimit of them: the listener pool's children first, the dispatch pool's drones from droneBase
// on), then one worker record per worker slot (serverLimit x workerLimit), then one service record per
// service (serviceLimit). Every record begins with a 32-bit sequence counter (see seqlock.ts), and
// every 8-byte field is 8-byte aligned so a Float64Array can view it. Changing anything here (the
// latency buckets of dispatch/counters.ts included) means bumping SCOREBOARD_LAYOUT.version.
import { LATENCY_BUCKETS_MS } from "../dispatch/counters.ts";
import { DroverError, ErrorCode } from "../errors.ts";
import type { ShmLayout } from "../shm/index.ts";

/** The layout tag ("SCBD") and version written into the shared-memory file by the native header. */
export const SCOREBOARD_LAYOUT: ShmLayout = { tag: 0x53434244, version: 8 };

export const HEADER_BYTES = 128;
export const PROCESS_RECORD_BYTES = 128;
export const WORKER_RECORD_BYTES = 128;

/** Int32 indexes into the header. */
export const Header = {
  seq: 0,
  serverLimit: 1,
  workerLimit: 2,
  generation: 3,
  masterPid: 4,
  /** Children the maintenance pass may spawn per second now (doubles up to 32, see maintenance.ts). */
  spawnRate: 5,
  /**
   * One more than the highest child slot in use: readers that scan the children on a hot path stop
   * here instead of at serverLimit. A single word the master stores (outside the seqlock).
   */
  slotBound: 6,
  /** The first drone slot: the slots below it are the listener pool's children. Fixed at creation. */
  droneBase: 7,
  /** Service records after the worker records. Fixed at creation; in HeaderF64 13, which is unused. */
  serviceLimit: 26,
} as const;

/** Float64 indexes into the header (starting at byte 32). */
export const HeaderF64 = {
  startTime: 4,
  restartTime: 5,
  /** Counters of children that have exited, folded in by the master so totals survive recycling. */
  retiredRequests: 6,
  retiredBytes: 7,
  retiredConnections: 8,
  /** Restarts since the master started, by kind, and children forked and lost to failures. */
  gracefulRestarts: 9,
  hardRestarts: 10,
  childrenStarted: 11,
  childrenFailed: 12,
  /** Reloads and restarts that failed (the generation serving carried on), and when the last did (0: never). */
  failedRestarts: 14,
  failedRestartTime: 15,
} as const;

/** Int32 indexes relative to the start of a process record. */
export const Proc = {
  seq: 0,
  pid: 1,
  generation: 2,
  quiescing: 3,
  state: 4,
  workers: 5,
  /** Connections the child holds now; a single word, stored outside the seqlock (see writers.ts). */
  open: 6,
  /** Requests waiting in the child's slow lane now; a single word, like `open`. */
  slowLane: 7,
  /**
   * The master's request for the child's JavaScript stack (a number it increments): the one word of a
   * process record the master writes while a child owns it. Stored on its own, outside the seqlock.
   */
  stackRequest: 24,
  /** The number of the last stack request the child's watchdog thread answered (child-written). */
  stackReply: 25,
  /** What runs in the slot (ProcessRole): written by the master in prepareSlot, as the slot's kind. */
  role: 30,
  /** A drone's service: the index of its service record (0 for a child). In ProcF64 15, unused. */
  service: 31,
} as const;

/** What a process record holds: one of the listener pool's children, or a drone of the dispatch pool. */
export const ProcessRole = { child: 0, drone: 1 } as const;

/** Float64 indexes relative to the start of a process record (starting at byte 32). */
export const ProcF64 = {
  startTime: 4,
  heartbeat: 5,
  requests: 6,
  bytes: 7,
  connections: 8,
  rss: 9,
  heapUsed: 10,
  /** Requests that have gone through the child's slow lane. */
  slowLaneRequests: 11,
  /** Requests dropped from the slow lane because their client left before their turn. */
  slowLaneShed: 13,
  /** Connections closed while waiting without a request, to make room for new ones (a full child). */
  evicted: 14,
} as const;

/** Int32 indexes relative to the start of a worker record. */
export const Work = {
  seq: 0,
  state: 1,
  requestLength: 2,
} as const;

/** Float64 indexes relative to the start of a worker record (starting at byte 16). */
export const WorkF64 = {
  requests: 2,
  bytes: 3,
  requestStart: 4,
  lastUsed: 5,
} as const;

/** The current request ("GET /path"), UTF-8, truncated to fit. */
export const WORKER_REQUEST_OFFSET = 48;
export const WORKER_REQUEST_BYTES = WORKER_RECORD_BYTES - WORKER_REQUEST_OFFSET;

/**
 * A service record, written by the master alone: its name, then its counters and gauges as f64, then
 * two latency histograms (a count per bucket of LATENCY_BUCKETS_MS, the overflow, count and sum).
 * Int32 indexes relative to the start of the record.
 */
export const Svc = {
  seq: 0,
  /** 1 while the record describes a service, 0 once cleared (or never written). */
  inUse: 1,
  generation: 2,
  nameLength: 3,
} as const;

/** The service's name, UTF-8. */
export const SERVICE_NAME_OFFSET = 16;
export const SERVICE_NAME_BYTES = 128;

/** Float64 indexes relative to the start of a service record (starting at byte 144). */
export const SvcF64 = {
  calls: 18,
  completed: 19,
  failed: 20,
  rejected: 21,
  expired: 22,
  cancelled: 23,
  droneExits: 24,
  retries: 25,
  poison: 26,
  sessionsOpened: 27,
  sessionsOpen: 28,
  backlog: 29,
  backlogHighWater: 30,
  drones: 31,
  idleDrones: 32,
  startingDrones: 33,
  /** The first word of the queue-wait histogram, then the run-time one (HISTOGRAM_WORDS each). */
  queueWait: 34,
  runTime: 34 + LATENCY_BUCKETS_MS.length + 3,
  /** Where its NATS transport is (NATS_STATES), after the two histograms. */
  nats: 34 + 2 * (LATENCY_BUCKETS_MS.length + 3),
  /** Its drones forked, and those that exited without being asked to (crashed, killed, could not start). */
  dronesStarted: 35 + 2 * (LATENCY_BUCKETS_MS.length + 3),
  dronesFailed: 36 + 2 * (LATENCY_BUCKETS_MS.length + 3),
  /** Calls handed to another host over NATS from the backlog. */
  handedOff: 37 + 2 * (LATENCY_BUCKETS_MS.length + 3),
} as const;

/** A histogram's buckets: one per bound of LATENCY_BUCKETS_MS, and one for everything above. */
export const HISTOGRAM_BUCKETS = LATENCY_BUCKETS_MS.length + 1;
/** Its words: the buckets, then its count and the sum of what it observed (ms). */
export const HISTOGRAM_WORDS = HISTOGRAM_BUCKETS + 2;
export const SERVICE_RECORD_BYTES = (SvcF64.handedOff + 1) * 8;

// As Apache's MPMs cap ServerLimit and ThreadLimit, so one typo cannot ask for gigabytes.
export const MAX_SERVER_LIMIT = 20_000;
export const MAX_WORKER_LIMIT = 100_000;
export const MAX_SERVICE_LIMIT = 4_096;
/** Service records of a scoreboard made without saying how many. */
export const DEFAULT_SERVICE_LIMIT = 64;
const MAX_SCOREBOARD_BYTES = 1024 * 1024 * 1024;

export interface ScoreboardLimits {
  /** The most process slots (children and drones), fixed for the scoreboard's life. */
  readonly serverLimit: number;
  /** The most worker slots in one child or drone, fixed for the scoreboard's life. */
  readonly workerLimit: number;
}

/** Everything that places a record: the limits, where the drones begin, and the service records. */
export interface ScoreboardShape extends ScoreboardLimits {
  /** The first drone slot (serverLimit when there are none). */
  readonly droneBase: number;
  readonly serviceLimit: number;
}

/**
 * Bytes needed for a scoreboard of these limits, with `serviceLimit` service records (none unless
 * given); throws SCOREBOARD_BAD_LIMITS when they are unusable. The 1 GiB ceiling bounds the slots,
 * which a typo in serverLimit or workerLimit can blow up; the service records, a few kilobytes, are
 * bounded by MAX_SERVICE_LIMIT on their own.
 */
export function scoreboardBytes(limits: ScoreboardLimits & { readonly serviceLimit?: number }): number {
  checkLimit("serverLimit", limits.serverLimit, 1, MAX_SERVER_LIMIT);
  checkLimit("workerLimit", limits.workerLimit, 1, MAX_WORKER_LIMIT);
  const serviceLimit = limits.serviceLimit ?? 0;
  checkLimit("serviceLimit", serviceLimit, 0, MAX_SERVICE_LIMIT, "give at most one record per service");
  const slotBytes =
    HEADER_BYTES +
    limits.serverLimit * PROCESS_RECORD_BYTES +
    limits.serverLimit * limits.workerLimit * WORKER_RECORD_BYTES;
  if (slotBytes > MAX_SCOREBOARD_BYTES) {
    throw new DroverError(
      ErrorCode.SCOREBOARD_BAD_LIMITS,
      `serverLimit ${limits.serverLimit} x workerLimit ${limits.workerLimit} needs ${slotBytes} bytes of scoreboard, ` +
        `more than the ${MAX_SCOREBOARD_BYTES} allowed: lower serverLimit or workerLimit.`,
    );
  }
  return slotBytes + serviceLimit * SERVICE_RECORD_BYTES;
}

/** Checks where the drone slots begin: within the slots, at serverLimit when there are no drones. */
export function checkDroneBase(droneBase: number, serverLimit: number): void {
  checkLimit("droneBase", droneBase, 0, serverLimit, "give the listener pool's serverLimit");
}

/** The most slots that fit in a scoreboard with `workerLimit` worker slots a slot. */
export function serverLimitThatFits(workerLimit: number): number {
  const perChild = PROCESS_RECORD_BYTES + workerLimit * WORKER_RECORD_BYTES;
  return Math.floor((MAX_SCOREBOARD_BYTES - HEADER_BYTES) / perChild);
}

export function processRecordOffset(slot: number): number {
  return HEADER_BYTES + slot * PROCESS_RECORD_BYTES;
}

export function workerRecordOffset(limits: ScoreboardLimits, slot: number, worker: number): number {
  return (
    HEADER_BYTES +
    limits.serverLimit * PROCESS_RECORD_BYTES +
    (slot * limits.workerLimit + worker) * WORKER_RECORD_BYTES
  );
}

export function serviceRecordOffset(limits: ScoreboardLimits, index: number): number {
  return (
    HEADER_BYTES +
    limits.serverLimit * (PROCESS_RECORD_BYTES + limits.workerLimit * WORKER_RECORD_BYTES) +
    index * SERVICE_RECORD_BYTES
  );
}

function checkLimit(
  field: string,
  value: number,
  min: number,
  max: number,
  fix = `set ${field} in the config`,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DroverError(
      ErrorCode.SCOREBOARD_BAD_LIMITS,
      `${field} must be a whole number from ${min} to ${max}, got ${String(value)}: ${fix}.`,
    );
  }
}
