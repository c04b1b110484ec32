// The dispatch pool's metrics, read from the service records and drone records of the scoreboard,
// each series labelled with its `service`. A damaged service record has no series (it counts in
// scoreboard_damaged_records), as a damaged child has none.
import type { Registry } from "prom-client";
import {
  NATS_STATES,
  type ProcessSnapshot,
  type ScoreboardSnapshot,
  type ServiceSnapshot,
} from "../../../scoreboard/index.ts";
import type { HistogramSample } from "./bucket-histogram.ts";
import { type Sample, ScoreboardMetrics } from "./scoreboard-metric.ts";

type Counters = ServiceSnapshot["counters"];

/** Failures by cause (each also counted as outcome "failed"), as the `reason` label names them. */
const FAILURE_REASONS: readonly (readonly [reason: string, field: keyof Counters])[] = [
  ["rejected", "rejected"],
  ["expired", "expired"],
  ["cancelled", "cancelled"],
  ["drone_exited", "droneExits"],
  ["poison", "poison"],
];

export function defineServiceMetrics(
  registry: Registry,
  prefix: string,
  current: () => ScoreboardSnapshot,
): void {
  const metrics = new ScoreboardMetrics(registry, prefix, current);
  const service = ["service"];

  metrics.counter({
    name: "service_calls_received_total",
    help: "Calls each service received since the master started.",
    labelNames: service,
    read: (s) => perService(s, (v) => v.counters.calls),
  });
  metrics.counter({
    name: "service_calls_total",
    help: "Calls each service has answered since the master started, by outcome: completed (a result) or failed (an error).",
    labelNames: ["service", "outcome"],
    read: (s) =>
      sound(s).flatMap((v) => [
        [{ service: v.name, outcome: "completed" }, v.counters.completed] as const,
        [{ service: v.name, outcome: "failed" }, v.counters.failed] as const,
      ]),
  });
  metrics.counter({
    name: "service_call_failures_total",
    help: "Failed calls of each service by cause (rejected: backlog full; expired: deadline; cancelled; drone_exited: the drone died; poison: killed two drones); each is also an outcome=failed call.",
    labelNames: ["service", "reason"],
    read: (s) =>
      sound(s).flatMap((v) =>
        FAILURE_REASONS.map(([reason, field]) => [{ service: v.name, reason }, v.counters[field]] as const),
      ),
  });
  metrics.counter({
    name: "service_retries_total",
    help: "Calls of each service run again on another drone after theirs died (idempotent methods).",
    labelNames: service,
    read: (s) => perService(s, (v) => v.counters.retries),
  });
  metrics.counter({
    name: "service_calls_handed_off_total",
    help: "Calls each service took out of its backlog and handed to another host of its NATS queue group, which had an idle drone and answers them; not counted in service_calls_total here.",
    labelNames: service,
    read: (s) => perService(s, (v) => v.counters.handedOff),
  });
  metrics.counter({
    name: "service_sessions_opened_total",
    help: "Sessions opened on each service since the master started.",
    labelNames: service,
    read: (s) => perService(s, (v) => v.counters.sessionsOpened),
  });
  metrics.counter({
    name: "service_drones_started_total",
    help: "Drones of each service forked since the master started.",
    labelNames: service,
    read: (s) => perService(s, (v) => v.counters.dronesStarted),
  });
  metrics.counter({
    name: "service_drones_failed_total",
    help: "Drones of each service that failed: crashed, could not start, or were killed as hung or not ready in time. Recycling, retirement and reloads never count.",
    labelNames: service,
    read: (s) => perService(s, (v) => v.counters.dronesFailed),
  });
  metrics.gauge({
    name: "service_sessions_open",
    help: "Sessions open on each service now, each pinned to a drone.",
    labelNames: service,
    read: (s) => perService(s, (v) => v.sessionsOpen),
  });
  metrics.gauge({
    name: "service_backlog",
    help: "Calls of each service waiting for a drone now.",
    labelNames: service,
    read: (s) => perService(s, (v) => v.backlog),
  });
  metrics.gauge({
    name: "service_backlog_high_water",
    help: "The most calls of each service that have waited for a drone at once.",
    labelNames: service,
    read: (s) => perService(s, (v) => v.backlogHighWater),
  });
  metrics.gauge({
    name: "service_drones",
    help: "Drones of each service by state, as the master counts them: starting, idle, busy (running calls or held by a session).",
    labelNames: ["service", "state"],
    read: (s) =>
      sound(s).flatMap((v) => [
        [{ service: v.name, state: "starting" }, v.startingDrones] as const,
        [{ service: v.name, state: "idle" }, v.idleDrones] as const,
        [
          { service: v.name, state: "busy" },
          Math.max(0, v.drones - v.idleDrones - v.startingDrones),
        ] as const,
      ]),
  });
  metrics.gauge({
    name: "service_nats_state",
    help: "Where each service's NATS transport is: 1 for its state now (connecting, taking: in its queue group, full: out of it while the backlog is full, disconnected, pulling: from JetStream), 0 for the others; no series for a service without NATS.",
    labelNames: ["service", "state"],
    read: (s) =>
      sound(s)
        .filter((v) => v.nats !== "none")
        .flatMap((v) =>
          NATS_STATES.filter((state) => state !== "none").map(
            (state) => [{ service: v.name, state }, v.nats === state ? 1 : 0] as const,
          ),
        ),
  });
  metrics.histogram({
    name: "service_queue_wait_seconds",
    help: "How long each service's calls waited in the backlog before a drone took them.",
    labelNames: service,
    read: (s) => sound(s).map((v): HistogramSample => [{ service: v.name }, v.queueWait]),
  });
  metrics.histogram({
    name: "service_run_seconds",
    help: "How long each service's drones took to run a call.",
    labelNames: service,
    read: (s) => sound(s).map((v): HistogramSample => [{ service: v.name }, v.runTime]),
  });

  // A fresh drone's memory is unknown (0) until its first heartbeat: no series rather than 0.
  metrics.gauge({
    name: "drone_resident_memory_bytes",
    help: "Resident set size of each drone, as of its last heartbeat.",
    labelNames: ["service", "slot", "pid", "generation"],
    read: (s) =>
      soundDrones(s).flatMap((p) => (p.rss > 0 && p.pid > 0 ? [[droneLabels(p), p.rss] as const] : [])),
  });
}

function sound(s: ScoreboardSnapshot): ServiceSnapshot[] {
  return s.services.filter((v) => v.damaged.length === 0);
}

function perService(s: ScoreboardSnapshot, value: (v: ServiceSnapshot) => number): Sample[] {
  return sound(s).map((v) => [{ service: v.name }, value(v)]);
}

// Drones of a known service only: one whose service record is gone or damaged has no label to carry.
function soundDrones(s: ScoreboardSnapshot): ProcessSnapshot[] {
  return s.processes.filter((p) => p.role === "drone" && p.damaged.length === 0 && p.service !== undefined);
}

function droneLabels(p: ProcessSnapshot) {
  return {
    service: p.service ?? "",
    slot: String(p.slot),
    pid: String(p.pid),
    generation: String(p.generation),
  };
}
