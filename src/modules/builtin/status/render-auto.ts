// The `?auto` form: "Name: value" lines that scripts parse, named as mod_status's where they mean
// the same (Total Accesses, ReqPerSec, BusyWorkers, Scoreboard...). A service's lines follow, each
// name prefixed with `Service[<name>] ` (names have no spaces), only when there are services.
import { latencyQuantile } from "../../../status/latency.ts";
import { formatUptime } from "../../../status/report.ts";
import type { ServicePageStatus, StatusPageReport } from "./page-report.ts";

export function renderAuto(report: StatusPageReport): string {
  const { totals } = report;
  const uptime = report.uptimeSeconds;
  // A value the scoreboard holds damaged has no line: a script then sees it missing, not a wrong
  // number. DamagedRecords says how many records were left out.
  const lines: [string, string | number | null][] = [
    ["ServerVersion", `drover/${report.version ?? "unknown"}`],
    ["ServerMPM", "drover"],
    ["MasterPid", report.masterPid],
    ["Generation", report.generation],
    ["CurrentTime", report.currentTime],
    ["RestartTime", report.restartTime],
    ["ServerUptimeSeconds", report.uptimeSeconds],
    ["ServerUptime", uptime === null ? null : formatUptime(uptime)],
    ["SinceRestartSeconds", report.sinceRestartSeconds],
    ["GracefulRestarts", report.restarts.graceful],
    ["HardRestarts", report.restarts.hard],
    ["FailedRestarts", report.restarts.failed],
    ["SinceFailedRestartSeconds", report.restarts.lastFailedSecondsAgo],
    ["ChildrenStarted", report.childrenStarted],
    ["ChildrenFailed", report.childrenFailed],
    ["Total Accesses", totals.requests],
    ["Total kBytes", Math.floor(totals.bytes / 1024)],
    ["Uptime", report.uptimeSeconds],
    ["ReqPerSec", report.requestsPerSecond === null ? null : autoDecimal(report.requestsPerSecond)],
    ["BytesPerSec", report.bytesPerSecond === null ? null : autoDecimal(report.bytesPerSecond)],
    ["BytesPerReq", autoDecimal(report.bytesPerRequest)],
    ["BusyWorkers", totals.busyWorkers],
    ["IdleWorkers", totals.idleWorkers],
    ["Processes", totals.children],
    ["Stopping", report.children.filter((child) => child.quiescing).length],
    ["Scoreboard", report.scoreboard],
    ["DamagedRecords", report.damaged.length],
    // A pool with no service has no line of the dispatch pool at all.
    ["Services", report.services.length > 0 ? report.services.length : null],
    ...report.services.flatMap(serviceLines),
  ];
  const shown = lines.filter(([, value]) => value !== null);
  return `${shown.map(([name, value]) => `${name}: ${value}`).join("\n")}\n`;
}

function serviceLines(service: ServicePageStatus): [string, string | number | null][] {
  const c = service.counters;
  // No percentile before anything was observed: the line is left out.
  const quantile = (counts: readonly number[], q: number) => {
    const estimate = latencyQuantile({ counts, count: 0, sumMs: 0 }, q);
    return estimate === undefined ? null : autoDecimal(estimate.ms);
  };
  const lines: [string, string | number | null][] = [
    ["Generation", service.generation],
    ["Drones", service.drones],
    ["IdleDrones", service.idleDrones],
    ["StartingDrones", service.startingDrones],
    ["Backlog", service.backlog],
    ["BacklogHighWater", service.backlogHighWater],
    ["SessionsOpen", service.sessionsOpen],
    ["SessionsOpened", c.sessionsOpened],
    ["DronesStarted", c.dronesStarted],
    ["DronesFailed", c.dronesFailed],
    ["Nats", service.nats],
    ["Calls", c.calls],
    ["Completed", c.completed],
    ["Failed", c.failed],
    ["Rejected", c.rejected],
    ["Expired", c.expired],
    ["Cancelled", c.cancelled],
    ["DroneExits", c.droneExits],
    ["Retries", c.retries],
    ["Poison", c.poison],
    ["HandedOff", c.handedOff],
    ["QueueWaitP50Ms", quantile(service.queueWait.buckets, 0.5)],
    ["QueueWaitP99Ms", quantile(service.queueWait.buckets, 0.99)],
    ["RunTimeP50Ms", quantile(service.runTime.buckets, 0.5)],
    ["RunTimeP99Ms", quantile(service.runTime.buckets, 0.99)],
    ["Scoreboard", service.droneProcesses.map((drone) => drone.grid).join("")],
  ];
  return lines.map(([name, value]) => [`Service[${service.name}] ${name}`, value]);
}

// Plain decimal notation with enough digits for a slow server's rate (String() turns 1e-7 into "1e-7").
function autoDecimal(value: number): string {
  return Number.isFinite(value) ? value.toFixed(6).replace(/\.?0+$/, "") : "0";
}
