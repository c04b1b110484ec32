// The dispatch pool's part of `drover status`'s text: a section per service (its drones, backlog,
// sessions, counters and latencies) with a row and a grid line per drone. Nothing when there is none.
import { cpuTime, megabytes } from "./figures.ts";
import { formatLatency, latencyQuantile } from "./latency.ts";
import type { DroneStatus, ServiceStatus } from "./service-report.ts";

/** What the drone letters mean: the same as a child's, read for calls. */
export const DRONE_KEY =
  "Drones: W running a call, K held by a session between calls, _ idle, S starting, G finishing before it exits";

/** Where a service's NATS transport is, in words. */
export const NATS_WORDS: Readonly<Record<NonNullable<ServiceStatus["nats"]>, string>> = {
  connecting: "connecting",
  taking: "taking calls (in its queue group)",
  full: "out of its queue group while the backlog is full",
  disconnected: "connection lost, reconnecting",
  pulling: "pulling calls from JetStream (at least once)",
};

const counted = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function formatServices(report: {
  readonly services: readonly ServiceStatus[];
  readonly otherDrones: readonly DroneStatus[];
}): string[] {
  if (report.services.length === 0 && report.otherDrones.length === 0) return [];
  const lines: string[] = [];
  for (const service of report.services) {
    const { counters: c } = service;
    const sessions = counted(service.sessionsOpen, "session open", "sessions open");
    lines.push(
      "",
      `Service "${service.name}", generation ${service.generation}: ${counted(service.drones, "drone", "drones")} ` +
        `(${service.idleDrones} idle, ${service.startingDrones} starting), ` +
        `backlog ${service.backlog} (high-water ${service.backlogHighWater}), ${sessions}` +
        (service.nats ? `; NATS: ${NATS_WORDS[service.nats]}` : ""),
      `  calls: ${c.calls} received, ${c.completed} completed, ${c.failed} failed${handedOff(c.handedOff)}; ` +
        `${c.rejected} rejected, ${c.expired} expired, ${c.cancelled} cancelled, ` +
        `${counted(c.droneExits, "drone exit", "drone exits")}, ${c.poison} poison; ${counted(c.retries, "retry", "retries")}; ` +
        `${counted(c.sessionsOpened, "session opened", "sessions opened")}`,
      `  drones: ${c.dronesStarted} started, ${c.dronesFailed} failed (exited without being asked to, or killed as stuck)`,
      `  queue wait: ${percentiles(service.queueWait.buckets)}; run time: ${percentiles(service.runTime.buckets)}`,
      ...droneRows(service.droneProcesses),
    );
  }
  if (report.otherDrones.length > 0) {
    lines.push("", "Drones of no known service (their service record is gone or damaged):");
    lines.push(...droneRows(report.otherDrones));
  }
  lines.push("", DRONE_KEY);
  return lines;
}

function percentiles(counts: readonly number[]): string {
  const histogram = { counts, count: 0, sumMs: 0 };
  return (
    `p50 ${formatLatency(latencyQuantile(histogram, 0.5))}, ` +
    `p99 ${formatLatency(latencyQuantile(histogram, 0.99))}`
  );
}

function droneRows(drones: readonly DroneStatus[]): string[] {
  if (drones.length === 0) return ["  (no drone on the scoreboard)"];
  const lines = [row(["slot", "pid", "gen", "state", "requests", "rss", "cpu", "heartbeat", "running"])];
  for (const drone of drones) {
    const running = drone.calls.map((call) => `${call.method} (${(call.ageMs / 1000).toFixed(1)} s)`);
    lines.push(
      row([
        String(drone.slot),
        String(drone.pid),
        `${drone.generation}${drone.quiescing ? "*" : ""}`,
        drone.state,
        String(drone.requests),
        megabytes(drone.rssBytes),
        cpuTime(drone.cpuSeconds),
        `${(drone.heartbeatAgeMs / 1000).toFixed(1)} s ago`,
        running.join(", "),
      ]),
    );
  }
  lines.push("  Drones:");
  for (const drone of drones) lines.push(`  ${String(drone.slot).padStart(3)}  ${drone.grid}`);
  return lines;
}

// Columns as the children's rows have them, numbers right-aligned.
function row([slot, pid, gen, state, requests, rss, cpu, heartbeat, running]: readonly string[]): string {
  return [
    `  ${(slot ?? "").padEnd(5)}`,
    (pid ?? "").padEnd(9),
    (gen ?? "").padEnd(4),
    (state ?? "").padEnd(9),
    (requests ?? "").padStart(8),
    (rss ?? "").padStart(9),
    (cpu ?? "").padStart(9),
    (heartbeat ?? "").padStart(11),
    ` ${running ?? ""}`,
  ]
    .join(" ")
    .trimEnd();
}

/** Calls handed to other hosts, said only where some were (a service over NATS with peers). */
export function handedOff(count: number): string {
  return count > 0 ? `, ${count} handed to other hosts` : "";
}
