// The dispatch pool in `drover status`: a section per service (what the master publishes in its
// service record) with the drones that serve it (their process and worker records).
import {
  isQuiescing,
  type NatsState,
  type ProcessSnapshot,
  processStateName,
  type ScoreboardSnapshot,
  type ServiceCounterFields,
  type ServiceSnapshot,
  type WorkerSnapshot,
  WorkerState,
} from "../scoreboard/index.ts";
import { latencyQuantile } from "./latency.ts";

/** What every process entry says: a child of the listener pool, or a drone of a service. */
export interface ProcessStatus {
  readonly slot: number;
  readonly role: "child" | "drone";
  /** A drone's service; null for a child (and for a drone whose service record is gone or damaged). */
  readonly service: string | null;
  readonly pid: number;
  readonly generation: number;
  /** From an older generation, or told to drain: it takes no new connection (or call). */
  readonly quiescing: boolean;
  readonly state: string;
  readonly requests: number;
  readonly busyWorkers: number;
  readonly idleWorkers: number;
  readonly heartbeatAgeMs: number;
  readonly rssBytes: number;
  /** Since its slot was readied for it, just before the fork. */
  readonly uptimeSeconds: number;
  /**
   * CPU time (user and system) it has used, from /proc/<pid>/stat; null where the report was made
   * without reading /proc (the status page), or the process is gone or hidden.
   */
  readonly cpuSeconds: number | null;
  /** One mod_status letter per worker slot. */
  readonly grid: string;
}

/** Reads a process's CPU seconds by pid (see process-cpu.ts), or says nothing. */
export type CpuReader = (pid: number) => number | undefined;

/** A call a drone runs now: the method, and how long it has run. */
export interface RunningCall {
  readonly worker: number;
  readonly method: string;
  readonly ageMs: number;
}

export interface DroneStatus extends ProcessStatus {
  readonly role: "drone";
  readonly calls: readonly RunningCall[];
}

/** A latency histogram: its buckets (per LATENCY_BUCKETS_MS, not cumulative) and estimated percentiles. */
export interface LatencyStatus {
  readonly count: number;
  readonly sumMs: number;
  /** Null when nothing was observed. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly buckets: readonly number[];
}

export interface ServiceStatus {
  /** Its service record on the scoreboard. */
  readonly index: number;
  readonly name: string;
  readonly generation: number;
  /** The master's counts of its drones: all, idle, starting. */
  readonly drones: number;
  readonly idleDrones: number;
  readonly startingDrones: number;
  /** Calls waiting for a drone now, and the most that ever waited. */
  readonly backlog: number;
  readonly backlogHighWater: number;
  readonly sessionsOpen: number;
  /** Since the master started. */
  readonly counters: ServiceCounterFields;
  /** Time calls waited for a drone, and time drones took to run them. */
  readonly queueWait: LatencyStatus;
  readonly runTime: LatencyStatus;
  /** Where its NATS transport is; null for a service without one. */
  readonly nats: Exclude<NatsState, "none"> | null;
  /** Its drones whose process records are sound, in slot order. */
  readonly droneProcesses: readonly DroneStatus[];
}

/** The sound service records, each with its drones; and the drones of no service known. */
export function serviceSections(
  snapshot: ScoreboardSnapshot,
  now: number,
  cpu?: CpuReader,
): { services: ServiceStatus[]; otherDrones: DroneStatus[] } {
  const drones = snapshot.processes.filter((p) => p.role === "drone" && p.damaged.length === 0);
  const sound = snapshot.services.filter((s) => s.damaged.length === 0);
  const known = new Set(sound.map((s) => s.name));
  return {
    services: sound.map((s) => ({
      ...serviceFields(s),
      droneProcesses: drones
        .filter((p) => p.service === s.name)
        .map((p) => droneStatus(snapshot, p, now, cpu)),
    })),
    otherDrones: drones
      .filter((p) => p.service === undefined || !known.has(p.service))
      .map((p) => droneStatus(snapshot, p, now, cpu)),
  };
}

function serviceFields(s: ServiceSnapshot): Omit<ServiceStatus, "droneProcesses"> {
  return {
    index: s.index,
    name: s.name,
    generation: s.generation,
    drones: s.drones,
    idleDrones: s.idleDrones,
    startingDrones: s.startingDrones,
    backlog: s.backlog,
    backlogHighWater: s.backlogHighWater,
    sessionsOpen: s.sessionsOpen,
    counters: s.counters,
    queueWait: latency(s.queueWait),
    runTime: latency(s.runTime),
    nats: s.nats === "none" ? null : s.nats,
  };
}

function latency(h: ServiceSnapshot["queueWait"]): LatencyStatus {
  return {
    count: h.count,
    sumMs: h.sumMs,
    p50Ms: latencyQuantile(h, 0.5)?.ms ?? null,
    p99Ms: latencyQuantile(h, 0.99)?.ms ?? null,
    buckets: h.counts,
  };
}

/** The fields every process entry has, from its record. */
export function processStatus(
  snapshot: ScoreboardSnapshot,
  p: ProcessSnapshot,
  now: number,
  cpu?: CpuReader,
): ProcessStatus {
  return {
    slot: p.slot,
    role: p.role,
    service: p.service ?? null,
    pid: p.pid,
    generation: p.generation,
    quiescing: isQuiescing(snapshot, p),
    state: processStateName(p.state),
    requests: p.requests,
    busyWorkers: p.busyWorkers,
    idleWorkers: p.idleWorkers,
    heartbeatAgeMs: Math.max(0, now - p.heartbeat),
    rssBytes: p.rss,
    uptimeSeconds: Math.max(0, Math.floor((now - p.startTime) / 1000)),
    cpuSeconds: cpu?.(p.pid) ?? null,
    grid: p.workers.map((w) => w.letter).join(""),
  };
}

function droneStatus(
  snapshot: ScoreboardSnapshot,
  p: ProcessSnapshot,
  now: number,
  cpu: CpuReader | undefined,
): DroneStatus {
  return {
    ...processStatus(snapshot, p, now, cpu),
    role: "drone",
    calls: p.workers
      .filter((w) => w.damaged.length === 0 && isRunning(w))
      .map((w) => ({ worker: w.worker, method: w.request, ageMs: Math.max(0, now - w.requestStart) })),
  };
}

/**
 * Whether a worker runs its request now: while it writes, or while it finishes gracefully one begun
 * after the last one ended (a record keeps its last request after it ends).
 */
export function isRunning(w: WorkerSnapshot): boolean {
  return w.state === WorkerState.Writing || (w.state === WorkerState.Graceful && w.requestStart > w.lastUsed);
}
