// Where everything lives in the scoreboard. The memory is a header, then one process record per child
// slot (serverLimit of them), then one worker record per worker slot (serverLimit x workerLimit).
// Every record begins with a 32-bit sequence counter (see seqlock.ts), and every 8-byte field is
// 8-byte aligned so a Float64Array can view it. Changing anything here means bumping LAYOUT_VERSION.
import { DroverError, ErrorCode } from "../errors.ts";
import type { ShmLayout } from "../shm/index.ts";

/** The layout tag ("SCBD") and version written into the shared-memory file by the native header. */
export const SCOREBOARD_LAYOUT: ShmLayout = { tag: 0x53434244, version: 4 };

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
} as const;

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

// As Apache's MPMs cap ServerLimit and ThreadLimit, so one typo cannot ask for gigabytes.
export const MAX_SERVER_LIMIT = 20_000;
export const MAX_WORKER_LIMIT = 100_000;
const MAX_SCOREBOARD_BYTES = 1024 * 1024 * 1024;

export interface ScoreboardLimits {
  /** The most child slots, fixed for the scoreboard's life. */
  readonly serverLimit: number;
  /** The most worker slots in one child, fixed for the scoreboard's life. */
  readonly workerLimit: number;
}

/** Bytes needed for a scoreboard of these limits; throws SCOREBOARD_BAD_LIMITS when they are unusable. */
export function scoreboardBytes(limits: ScoreboardLimits): number {
  checkLimit("serverLimit", limits.serverLimit, MAX_SERVER_LIMIT);
  checkLimit("workerLimit", limits.workerLimit, MAX_WORKER_LIMIT);
  const bytes =
    HEADER_BYTES +
    limits.serverLimit * PROCESS_RECORD_BYTES +
    limits.serverLimit * limits.workerLimit * WORKER_RECORD_BYTES;
  if (bytes > MAX_SCOREBOARD_BYTES) {
    throw new DroverError(
      ErrorCode.SCOREBOARD_BAD_LIMITS,
      `serverLimit ${limits.serverLimit} x workerLimit ${limits.workerLimit} needs ${bytes} bytes of scoreboard, ` +
        `more than the ${MAX_SCOREBOARD_BYTES} allowed: lower serverLimit or workerLimit.`,
    );
  }
  return bytes;
}

/** The most child slots that fit in a scoreboard with `workerLimit` worker slots a child. */
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

function checkLimit(field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new DroverError(
      ErrorCode.SCOREBOARD_BAD_LIMITS,
      `${field} must be a whole number from 1 to ${max}, got ${String(value)}: set ${field} in the config.`,
    );
  }
}
