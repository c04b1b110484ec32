// Range checks on decoded records. The scoreboard is memory that other processes can write (every
// child runs the app, and root or the children's user can write the file), so a field may hold
// anything. A record with a field out of range is flagged damaged, naming the fields, and none of its
// numbers is counted or shown as a number. The bounds are loose enough that no writer of ours can
// break them and tight enough that overwritten memory (random bytes, 3.4e+297 requests) fails them.
import {
  HISTOGRAM_BUCKETS,
  MAX_SERVER_LIMIT,
  MAX_SERVICE_LIMIT,
  ProcessRole,
  type ScoreboardShape,
} from "./layout.ts";
import type { HeaderFields, ProcessFields, WorkerFields } from "./records.ts";
import type { ServiceRecordFields } from "./service-records.ts";
import { PROCESS_STATE_NAMES, ProcessState, WORKER_STATE_LETTERS } from "./states.ts";

/** The largest pid Linux hands out (PID_MAX_LIMIT on 64-bit systems). */
const MAX_PID = 4_194_304;
/** How far a record's times may lie before the master's start or after now (clock steps, skew). */
const TIME_SLACK_MS = 86_400_000;
// The maintenance pass doubles the spawn rate up to 32; a value far above that is not ours.
const MAX_SPAWN_RATE = 1_024;
const MAX_INT32 = 2 ** 31 - 1;

/** No field out of range (shared, so that checking a sound record allocates nothing). */
export const SOUND: readonly string[] = Object.freeze([]);

/** What a child's records may hold, given the header they were read with. */
export interface RecordBounds {
  /** A day before the master started (or the epoch, when the header's start is damaged). */
  readonly earliest: number;
  /** A day from now. */
  readonly latest: number;
  /** The header's generation plus one: a reload's new children may run ahead of the header. */
  readonly maxGeneration: number;
  readonly workerLimit: number;
  /** Process slots in all: no service has more drones. */
  readonly serverLimit: number;
  /** Where the drone slots begin; undefined: a record's role is not checked against its slot. */
  readonly droneBase: number | undefined;
  readonly serviceLimit: number;
}

/** `shape` is the mapping's (checked at open); without it, what depends on it is checked loosely. */
export function recordBounds(
  header: Pick<HeaderFields, "startTime" | "generation">,
  headerDamage: readonly string[],
  workerLimit: number,
  now: number,
  shape?: Omit<ScoreboardShape, "workerLimit">,
): RecordBounds {
  return {
    earliest: headerDamage.includes("startTime") ? 1 : header.startTime - TIME_SLACK_MS,
    latest: now + TIME_SLACK_MS,
    maxGeneration: headerDamage.includes("generation") ? MAX_INT32 : header.generation + 1,
    workerLimit,
    serverLimit: shape?.serverLimit ?? MAX_SERVER_LIMIT,
    droneBase: shape?.droneBase,
    serviceLimit: shape?.serviceLimit ?? MAX_SERVICE_LIMIT,
  };
}

/** The header's fields out of range; `shape` is what the mapping was checked against at open. */
export function headerDamage(h: HeaderFields, shape: ScoreboardShape, now: number): readonly string[] {
  const bad: string[] = [];
  const latest = now + TIME_SLACK_MS;
  // The master stamps its times with Date.now(): whole milliseconds.
  const startSound = Number.isSafeInteger(h.startTime) && h.startTime > 0 && h.startTime <= latest;
  const earliestRestart = startSound ? h.startTime - TIME_SLACK_MS : 1;
  if (h.serverLimit !== shape.serverLimit) bad.push("serverLimit");
  if (h.workerLimit !== shape.workerLimit) bad.push("workerLimit");
  if (h.droneBase !== shape.droneBase) bad.push("droneBase");
  if (h.serviceLimit !== shape.serviceLimit) bad.push("serviceLimit");
  if (!within(h.generation, 0, MAX_INT32)) bad.push("generation");
  if (!within(h.masterPid, 1, MAX_PID)) bad.push("masterPid");
  if (!within(h.spawnRate, 0, MAX_SPAWN_RATE)) bad.push("spawnRate");
  if (!within(h.slotBound, 0, shape.serverLimit)) bad.push("slotBound");
  if (!startSound) bad.push("startTime");
  if (!Number.isSafeInteger(h.restartTime) || h.restartTime < earliestRestart || h.restartTime > latest)
    bad.push("restartTime");
  for (const [name, value] of [
    ["retiredRequests", h.retired.requests],
    ["retiredBytes", h.retired.bytes],
    ["retiredConnections", h.retired.connections],
    ["gracefulRestarts", h.counters.gracefulRestarts],
    ["hardRestarts", h.counters.hardRestarts],
    ["childrenStarted", h.counters.childrenStarted],
    ["childrenFailed", h.counters.childrenFailed],
    ["failedRestarts", h.counters.failedRestarts],
  ] as const) {
    if (!isCount(value)) bad.push(name);
  }
  const failedAt = h.failedRestartTime;
  if (
    !(failedAt === 0 || (Number.isSafeInteger(failedAt) && failedAt >= earliestRestart && failedAt <= latest))
  )
    bad.push("failedRestartTime");
  return bad.length === 0 ? SOUND : bad;
}

/** The words of a process record that its fields decode to something narrower. */
export interface ProcessWords {
  /** The quiescing flag (0 or 1). */
  readonly quiescing: number;
  /** ProcessRole. */
  readonly role: number;
  /** The service record index of a drone, 0 for a child. */
  readonly service: number;
}

/** A process record's fields out of range. */
export function processDamage(p: ProcessFields, words: ProcessWords, b: RecordBounds): readonly string[] {
  const bad: string[] = [];
  const quiescingWord = words.quiescing;
  // Between prepareSlot and the child's claim the pid is 0: the master holds the slot for the fork.
  if (!within(p.pid, 1, MAX_PID) && !(p.pid === 0 && p.state === ProcessState.Starting)) bad.push("pid");
  if (!within(p.generation, 0, b.maxGeneration)) bad.push("generation");
  if (quiescingWord !== 0 && quiescingWord !== 1) bad.push("quiescing");
  if (!within(p.state, 0, PROCESS_STATE_NAMES.length - 1)) bad.push("state");
  if (!within(p.workerCount, 0, b.workerLimit)) bad.push("workerCount");
  // A connection holds a worker slot, so a child holds at most its worker slots.
  if (!within(p.openConnections, 0, b.workerLimit)) bad.push("openConnections");
  if (!within(p.slowLaneWaiting, 0, MAX_INT32)) bad.push("slowLaneWaiting");
  if (!isCount(p.slowLaneRequests)) bad.push("slowLaneRequests");
  if (!isCount(p.slowLaneShed)) bad.push("slowLaneShed");
  if (!isCount(p.evicted)) bad.push("evicted");
  if (!isTime(p.startTime, b)) bad.push("startTime");
  if (!isTime(p.heartbeat, b)) bad.push("heartbeat");
  if (!isCount(p.connections)) bad.push("connections");
  if (!isCount(p.rss)) bad.push("rss");
  if (!isCount(p.heapUsed)) bad.push("heapUsed");
  // Children live below droneBase and drones from it on (prepareSlot refuses anything else).
  const drone = words.role === ProcessRole.drone;
  if (
    (!drone && words.role !== ProcessRole.child) ||
    (b.droneBase !== undefined && drone !== p.slot >= b.droneBase)
  )
    bad.push("role");
  else if (drone ? !within(words.service, 0, b.serviceLimit - 1) : words.service !== 0) bad.push("service");
  return bad.length === 0 ? SOUND : bad;
}

/** A service record's fields out of range; `inUseWord` is the raw flag, `nameSound` as for requests. */
export function serviceDamage(
  s: ServiceRecordFields,
  inUseWord: number,
  nameSound: boolean,
  b: RecordBounds,
): readonly string[] {
  const bad: string[] = [];
  if (inUseWord !== 1) bad.push("inUse");
  if (!nameSound) bad.push("name");
  if (!within(s.generation, 0, b.maxGeneration)) bad.push("generation");
  for (const [name, value] of Object.entries(s.counters)) if (!isCount(value)) bad.push(name);
  for (const name of ["sessionsOpen", "backlog", "backlogHighWater"] as const)
    if (!isCount(s[name])) bad.push(name);
  // A drone takes a slot: a service has no more drones than the scoreboard has slots.
  for (const name of ["drones", "idleDrones", "startingDrones"] as const)
    if (!within(s[name], 0, b.serverLimit)) bad.push(name);
  for (const name of ["queueWait", "runTime"] as const) {
    const h = s[name];
    const sound =
      h.counts.length === HISTOGRAM_BUCKETS &&
      h.counts.every(isCount) &&
      isCount(h.count) &&
      Number.isFinite(h.sumMs) &&
      h.sumMs >= 0;
    if (!sound) bad.push(name);
  }
  return bad.length === 0 ? SOUND : bad;
}

/**
 * A worker record's fields out of range. `requestSound` is false when the request text's length is out
 * of the record or its bytes are not UTF-8 (the writer cuts text on a character boundary).
 */
export function workerDamage(w: WorkerFields, requestSound: boolean, b: RecordBounds): readonly string[] {
  const bad: string[] = [];
  if (!within(w.state, 0, WORKER_STATE_LETTERS.length - 1)) bad.push("state");
  if (!requestSound) bad.push("request");
  if (!isCount(w.requests)) bad.push("requests");
  if (!isCount(w.bytes)) bad.push("bytes");
  // 0: this worker has not had a request yet.
  if (w.requestStart !== 0 && !isTime(w.requestStart, b)) bad.push("requestStart");
  if (w.lastUsed !== 0 && !isTime(w.lastUsed, b)) bad.push("lastUsed");
  return bad.length === 0 ? SOUND : bad;
}

function within(value: number, low: number, high: number): boolean {
  return Number.isInteger(value) && value >= low && value <= high;
}

// Counts are sums of whole numbers that start at 0, exact below 2^53.
function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function isTime(value: number, b: RecordBounds): boolean {
  return value >= b.earliest && value <= b.latest;
}
