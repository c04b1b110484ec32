// The pool's metrics, every one read from the scoreboard: sums over all children as the scoreboard
// holds them, never asked of each child, so whichever child answers a scrape reports the whole pool.
// A record the snapshot flags damaged (values out of range) has no series and counts in no sum: only
// scoreboard_damaged_records tells of it. These are the listener pool's: drones count in none of them
// (the dispatch pool has its own, service-metrics.ts).
import type { Registry } from "prom-client";
import {
  isQuiescing,
  PROCESS_STATE_NAMES,
  type ProcessSnapshot,
  ProcessState,
  type ScoreboardSnapshot,
  WorkerState,
} from "../../../scoreboard/index.ts";
import { type Labels, type Sample, ScoreboardMetrics } from "./scoreboard-metric.ts";

/**
 * Worker states by the meaning of their mod_status letter, named as apache_exporter names them, so a
 * dashboard made for Apache reads drover the same way.
 */
const WORKER_STATE_NAMES: Readonly<Record<WorkerState, string>> = {
  [WorkerState.Dead]: "open_slot", // .
  [WorkerState.Starting]: "startup", // S
  [WorkerState.Ready]: "idle", // _
  [WorkerState.Reading]: "read", // R
  [WorkerState.Writing]: "reply", // W
  [WorkerState.Keepalive]: "keepalive", // K
  [WorkerState.Logging]: "logging", // L
  [WorkerState.Closing]: "closing", // C
  [WorkerState.Graceful]: "graceful_stop", // G
  [WorkerState.IdleKill]: "idle_cleanup", // I
};

// A slot with no child is not a child's state.
const CHILD_STATES = PROCESS_STATE_NAMES.filter((_, state) => state !== ProcessState.Free);
const WORKER_STATE_NAMES_IN_ORDER = Object.values(WORKER_STATE_NAMES);
const CHILD_LABELS = ["slot", "pid", "generation"];

/** Defines every pool metric in `registry`; each scrape reads the snapshot `current()` returns. */
export function definePoolMetrics(
  registry: Registry,
  prefix: string,
  current: () => ScoreboardSnapshot,
): void {
  const metrics = new ScoreboardMetrics(registry, prefix, current);

  metrics.gauge({
    name: "children",
    help: "Child processes by state (starting, ready, stopping), old generations included.",
    labelNames: ["state"],
    read: (s) =>
      countByState(
        CHILD_STATES,
        sound(s).map((p) => PROCESS_STATE_NAMES[p.state]),
      ),
  });
  metrics.gauge({
    name: "quiescing_children",
    help: "Children that take no new connection: of an older generation, or draining before they exit.",
    read: (s) => sound(s).filter((p) => isQuiescing(s, p)).length,
  });
  metrics.gauge({
    name: "workers",
    help: "Worker slots of the running children by state (mod_status letters: idle is _, reply is W, ...).",
    labelNames: ["state"],
    read: (s) =>
      countByState(
        WORKER_STATE_NAMES_IN_ORDER,
        s.processes
          .filter((p) => p.role === "child")
          .flatMap((p) =>
            p.workers.filter((w) => w.damaged.length === 0).map((w) => WORKER_STATE_NAMES[w.state]),
          ),
      ),
  });

  metrics.counter({
    name: "requests_total",
    help: "Requests served by every child since the master started, children that have exited included.",
    read: (s) => unlessDamaged(s, "retiredRequests", s.totals.requests),
  });
  metrics.counter({
    name: "bytes_total",
    help: "Bytes of responses sent by every child since the master started, children that have exited included.",
    read: (s) => unlessDamaged(s, "retiredBytes", s.totals.bytes),
  });
  metrics.counter({
    name: "connections_total",
    help: "Connections accepted by every child since the master started, children that have exited included.",
    read: (s) => unlessDamaged(s, "retiredConnections", s.totals.connections),
  });

  metrics.gauge({
    name: "slow_lane_waiting",
    help: "Requests waiting in the children's slow lanes: to routes that hold the event loop, started after cheaper ones.",
    read: (s) => sound(s).reduce((sum, p) => sum + p.slowLaneWaiting, 0),
  });

  metrics.gauge({
    name: "generation",
    help: "The current generation: 0 at start, one more at each graceful or hard restart.",
    read: (s) => unlessDamaged(s, "generation", s.generation),
  });
  metrics.counter({
    name: "restarts_total",
    help: "Restarts since the master started, by kind: graceful (reload) or hard (restart).",
    labelNames: ["kind"],
    read: (s) => [
      ...unlessDamaged(s, "gracefulRestarts", s.counters.gracefulRestarts, { kind: "graceful" }),
      ...unlessDamaged(s, "hardRestarts", s.counters.hardRestarts, { kind: "hard" }),
    ],
  });
  metrics.counter({
    name: "restarts_failed_total",
    help: "Reloads and restarts that failed since the master started (the generation serving carried on; the log says why).",
    read: (s) => unlessDamaged(s, "failedRestarts", s.counters.failedRestarts),
  });
  metrics.counter({
    name: "children_started_total",
    help: "Children forked since the master started.",
    read: (s) => unlessDamaged(s, "childrenStarted", s.counters.childrenStarted),
  });
  metrics.counter({
    name: "children_failed_total",
    help: "Children that exited without being asked to (crashed, killed, or unable to initialise).",
    read: (s) => unlessDamaged(s, "childrenFailed", s.counters.childrenFailed),
  });
  metrics.gauge({
    name: "spawn_rate",
    help: "Children the idle maintenance may start in its next pass (doubles while spares are short, up to 32).",
    read: (s) => unlessDamaged(s, "spawnRate", s.spawnRate),
  });
  metrics.gauge({
    name: "start_time_seconds",
    help: "When the master started, in seconds since the Unix epoch.",
    read: (s) => unlessDamaged(s, "startTime", s.startTime / 1000),
  });
  metrics.gauge({
    name: "restart_time_seconds",
    help: "When the current generation started, in seconds since the Unix epoch.",
    read: (s) => unlessDamaged(s, "restartTime", s.restartTime / 1000),
  });
  metrics.gauge({
    name: "scoreboard_damaged_records",
    help: "Scoreboard records (header, children, drones, workers, services) holding values out of range, left out of every other metric: the shared memory was overwritten.",
    read: (s) => s.damagedRecords,
  });

  // Per child. A fresh child's memory is unknown (0 on the scoreboard) until its first heartbeat, and
  // a slot being forked has no pid yet: neither is reported rather than reported as 0.
  metrics.gauge({
    name: "child_resident_memory_bytes",
    help: "Resident set size of each child, as of its last heartbeat.",
    labelNames: CHILD_LABELS,
    read: (s) => perChild(s, (p) => (p.rss > 0 ? p.rss : undefined)),
  });
  metrics.gauge({
    name: "child_heap_used_bytes",
    help: "V8 heap in use in each child, as of its last heartbeat.",
    labelNames: CHILD_LABELS,
    read: (s) => perChild(s, (p) => (p.heapUsed > 0 ? p.heapUsed : undefined)),
  });
  metrics.counter({
    name: "child_requests_total",
    help: "Requests served by each running child since it started.",
    labelNames: CHILD_LABELS,
    read: (s) => perChild(s, (p) => p.requests),
  });
  metrics.counter({
    name: "child_slow_lane_requests_total",
    help: "Requests of each running child that went through its slow lane since it started.",
    labelNames: CHILD_LABELS,
    read: (s) => perChild(s, (p) => p.slowLaneRequests),
  });
  metrics.counter({
    name: "child_slow_lane_shed_total",
    help: "Requests each running child dropped from its slow lane because their client had left.",
    labelNames: CHILD_LABELS,
    read: (s) => perChild(s, (p) => p.slowLaneShed),
  });
  metrics.counter({
    name: "child_evicted_connections_total",
    help: "Connections each running child closed while they waited without a request, to make room for new ones.",
    labelNames: CHILD_LABELS,
    read: (s) => perChild(s, (p) => p.evicted),
  });
}

/**
 * How many of `states` are each of `names`. Every name is listed, at 0 too, so that a series does not
 * vanish while its state is empty; a state not among `names` (a free slot) is not counted.
 */
function countByState(names: readonly string[], states: readonly (string | undefined)[]): Sample[] {
  const counts = new Map(names.map((name) => [name, 0]));
  for (const state of states) {
    if (state === undefined) continue;
    const count = counts.get(state);
    if (count !== undefined) counts.set(state, count + 1);
  }
  return [...counts].map(([state, count]) => [{ state }, count]);
}

function* perChild(
  s: ScoreboardSnapshot,
  value: (p: ProcessSnapshot) => number | undefined,
): Iterable<Sample> {
  for (const p of sound(s)) {
    const v = p.pid > 0 ? value(p) : undefined;
    if (v !== undefined) yield [childLabels(p), v];
  }
}

/** The children whose process records are not damaged (drones are not children). */
function sound(s: ScoreboardSnapshot): ProcessSnapshot[] {
  return s.processes.filter((p) => p.role === "child" && p.damaged.length === 0);
}

/** One sample of a header field, or none when the header holds it damaged. */
function unlessDamaged(s: ScoreboardSnapshot, field: string, value: number, labels: Labels = {}): Sample[] {
  return s.damaged.includes(field) ? [] : [[labels, value]];
}

function childLabels(p: ProcessSnapshot): Labels {
  return { slot: String(p.slot), pid: String(p.pid), generation: String(p.generation) };
}
