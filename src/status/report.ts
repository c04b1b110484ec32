// What `drover status` shows, made from a scoreboard snapshot alone: it needs nothing from the master,
// so it answers even when the master is busy. The listener pool's children first, then the dispatch
// pool's services with their drones (service-report.ts).
import { type ScoreboardSnapshot, WORKER_STATE_KEY } from "../scoreboard/index.ts";
import { cpuTime, megabytes, plural, shortDuration } from "./figures.ts";
import {
  type CpuReader,
  type DroneStatus,
  type ProcessStatus,
  processStatus,
  type ServiceStatus,
  serviceSections,
} from "./service-report.ts";
import { formatServices } from "./service-text.ts";

export type {
  CpuReader,
  DroneStatus,
  LatencyStatus,
  ProcessStatus,
  RunningCall,
  ServiceStatus,
} from "./service-report.ts";

export interface ChildStatus extends ProcessStatus {
  readonly role: "child";
  /** Requests waiting in its slow lane now, and those that have gone through it. */
  readonly slowLaneWaiting: number;
  readonly slowLaneRequests: number;
  /** Requests its slow lane dropped because their client had left. */
  readonly slowLaneShed: number;
  /** Connections it closed while they waited without a request, to make room for new ones. */
  readonly evictedConnections: number;
}

/**
 * A scoreboard record holding values out of range (its memory was overwritten): shown as damaged,
 * never as numbers, and left out of every total.
 */
export interface DamagedRecord {
  /**
   * The scoreboard's header, a child's or a drone's process record, one of their worker records, or
   * a service record.
   */
  readonly record: "header" | "child" | "drone" | "worker" | "service";
  /** The child or drone slot; null for the header and a service record. */
  readonly slot: number | null;
  /** The worker slot; null but for a worker record. */
  readonly worker: number | null;
  /** The service record's index: only for a service record. */
  readonly service?: number;
  /** The fields whose values are out of range. */
  readonly fields: readonly string[];
}

export interface StatusReport {
  /** Null when the header's field is damaged (see `damaged`). */
  readonly masterPid: number | null;
  readonly generation: number | null;
  readonly uptimeSeconds: number | null;
  /** Since the last graceful or hard restart (the start, before the first); null when damaged. */
  readonly sinceRestartSeconds: number | null;
  /** Restarts by kind, and children started and failed, since the master started. */
  readonly counters: ScoreboardSnapshot["counters"];
  /** The same counts under the status page's names, each null when the header holds it damaged. */
  readonly restarts: {
    readonly graceful: number | null;
    readonly hard: number | null;
    /** Reloads and restarts that failed (the generation serving carried on), and how long ago the last did. */
    readonly failed: number | null;
    readonly lastFailedSecondsAgo: number | null;
  };
  readonly childrenStarted: number | null;
  /** Children that exited without being asked to: crashed, killed, or unable to initialise. */
  readonly childrenFailed: number | null;
  /** Sums over the children's records that are not damaged (drones count in none). */
  readonly totals: Omit<ScoreboardSnapshot["totals"], "connections">;
  /** The children whose process records are sound, in slot order. */
  readonly children: readonly ChildStatus[];
  /** The dispatch pool's services whose records are sound, by record, each with its drones. */
  readonly services: readonly ServiceStatus[];
  /** Sound drones whose service record is gone or damaged; empty normally. */
  readonly otherDrones: readonly DroneStatus[];
  /** Every damaged record: the header, children, drones, workers, services; empty on a sound scoreboard. */
  readonly damaged: readonly DamagedRecord[];
}

/**
 * The report of `snapshot`. `cpu` reads a process's CPU seconds (from /proc: process-cpu.ts); without
 * it every cpuSeconds is null.
 */
export function statusReport(snapshot: ScoreboardSnapshot, now = Date.now(), cpu?: CpuReader): StatusReport {
  const { totals } = snapshot;
  const startTime = headerField(snapshot, "startTime", snapshot.startTime);
  const restartTime = headerField(snapshot, "restartTime", snapshot.restartTime);
  const since = (time: number | null) =>
    time === null ? null : Math.max(0, Math.floor((now - time) / 1000));
  return {
    masterPid: headerField(snapshot, "masterPid", snapshot.masterPid),
    generation: headerField(snapshot, "generation", snapshot.generation),
    uptimeSeconds: since(startTime),
    sinceRestartSeconds: since(restartTime),
    counters: snapshot.counters,
    restarts: {
      graceful: headerField(snapshot, "gracefulRestarts", snapshot.counters.gracefulRestarts),
      hard: headerField(snapshot, "hardRestarts", snapshot.counters.hardRestarts),
      failed: headerField(snapshot, "failedRestarts", snapshot.counters.failedRestarts),
      lastFailedSecondsAgo:
        snapshot.failedRestartTime > 0
          ? since(headerField(snapshot, "failedRestartTime", snapshot.failedRestartTime))
          : null,
    },
    childrenStarted: headerField(snapshot, "childrenStarted", snapshot.counters.childrenStarted),
    childrenFailed: headerField(snapshot, "childrenFailed", snapshot.counters.childrenFailed),
    totals: {
      children: totals.children,
      busyWorkers: totals.busyWorkers,
      idleWorkers: totals.idleWorkers,
      requests: totals.requests,
      bytes: totals.bytes,
    },
    children: snapshot.processes
      .filter((p) => p.role === "child" && p.damaged.length === 0)
      .map((p) => ({
        ...processStatus(snapshot, p, now, cpu),
        role: "child" as const,
        slowLaneWaiting: p.slowLaneWaiting,
        slowLaneRequests: p.slowLaneRequests,
        slowLaneShed: p.slowLaneShed,
        evictedConnections: p.evicted,
      })),
    ...serviceSections(snapshot, now, cpu),
    damaged: damagedRecords(snapshot),
  };
}

/** A header field's value, or null when the snapshot flags it damaged. */
export function headerField(snapshot: ScoreboardSnapshot, field: string, value: number): number | null {
  return snapshot.damaged.includes(field) ? null : value;
}

function damagedRecords(snapshot: ScoreboardSnapshot): DamagedRecord[] {
  const found: DamagedRecord[] = [];
  if (snapshot.damaged.length > 0)
    found.push({ record: "header", slot: null, worker: null, fields: snapshot.damaged });
  for (const p of snapshot.processes) {
    if (p.damaged.length > 0) found.push({ record: p.role, slot: p.slot, worker: null, fields: p.damaged });
    for (const w of p.workers) {
      if (w.damaged.length > 0)
        found.push({ record: "worker", slot: p.slot, worker: w.worker, fields: w.damaged });
    }
  }
  for (const s of snapshot.services) {
    if (s.damaged.length > 0)
      found.push({ record: "service", slot: null, worker: null, service: s.index, fields: s.damaged });
  }
  return found;
}

/**
 * Where a damaged record is, in words: "the scoreboard header", "child slot 3", "drone slot 5",
 * "slot 0 worker 2", "service record 1".
 */
export function damagedRecordName(record: DamagedRecord): string {
  if (record.record === "header") return "the scoreboard header";
  if (record.record === "child" || record.record === "drone") return `${record.record} slot ${record.slot}`;
  if (record.record === "service") return `service record ${record.service}`;
  return `slot ${record.slot} worker ${record.worker}`;
}

/** The report as text: a summary, one line per child, and the scoreboard grid with its key. */
export function formatStatus(report: StatusReport): string {
  const { totals } = report;
  const uptime = report.uptimeSeconds === null ? DAMAGED : formatUptime(report.uptimeSeconds);
  const lines = [
    `drover master ${shown(report.masterPid)}, generation ${shown(report.generation)}, up ${uptime}`,
    `${plural(totals.children, "child", "children")}, ${totals.busyWorkers} busy and ${totals.idleWorkers} idle workers, ` +
      `${totals.requests} requests, ${totals.bytes} bytes served`,
    restartsLine(report),
  ];
  if (report.damaged.length > 0) {
    lines.push(
      `${report.damaged.length} damaged scoreboard records (values out of range), not counted above: ` +
        "see the list below",
    );
  }
  lines.push(
    "",
    "slot  pid       gen  state     requests  busy  idle       rss       cpu   uptime  heartbeat",
  );
  for (const child of report.children) {
    const gen = `${child.generation}${child.quiescing ? "*" : ""}`;
    lines.push(
      [
        String(child.slot).padEnd(5),
        String(child.pid).padEnd(9),
        gen.padEnd(4),
        child.state.padEnd(9),
        String(child.requests).padStart(8),
        String(child.busyWorkers).padStart(5),
        String(child.idleWorkers).padStart(5),
        megabytes(child.rssBytes).padStart(9),
        cpuTime(child.cpuSeconds).padStart(9),
        shortDuration(child.uptimeSeconds).padStart(8),
        `${(child.heartbeatAgeMs / 1000).toFixed(1)} s ago`.padStart(10),
      ].join(" "),
    );
  }
  if (report.children.some((child) => child.quiescing))
    lines.push("(* old generation or draining: takes no new connection)");
  lines.push("", "Scoreboard:");
  for (const child of report.children) lines.push(`  ${String(child.slot).padStart(3)}  ${child.grid}`);
  lines.push(...formatServices(report));
  if (report.damaged.length > 0) {
    lines.push("", "Damaged records (shown as ? in the scoreboard, not counted):");
    for (const record of report.damaged)
      lines.push(`  ${damagedRecordName(record)}: ${record.fields.join(", ")}`);
    lines.push(
      "Something wrote over the scoreboard: check who can write its file. A reload gives the children",
      "fresh records; the header is made anew only when the master starts again.",
    );
  }
  lines.push("", "Key:");
  for (const [letter, meaning] of WORKER_STATE_KEY) lines.push(`  "${letter}" ${meaning}`);
  return lines.join("\n");
}

// "restarts: 1 graceful, 0 hard, the last 2m 3s ago, 1 failed (the last 5s ago: see the log); children:
// 5 started, 1 failed".
function restartsLine(report: StatusReport): string {
  const { graceful, hard, failed, lastFailedSecondsAgo } = report.restarts;
  const since = report.sinceRestartSeconds;
  const last = (!graceful && !hard) || since === null ? "" : `, the last ${shortDuration(since)} ago`;
  const failures =
    failed === 0
      ? ""
      : `, ${shown(failed)} failed` +
        (lastFailedSecondsAgo === null
          ? ""
          : ` (the last ${shortDuration(lastFailedSecondsAgo)} ago: see the log)`);
  return (
    `restarts: ${shown(graceful)} graceful, ${shown(hard)} hard${last}${failures}; children: ` +
    `${shown(report.childrenStarted)} started, ${shown(report.childrenFailed)} failed (exited without being asked to)`
  );
}

/** What is printed in place of a damaged value. */
export const DAMAGED = "damaged";

function shown(value: number | null): string {
  return value === null ? DAMAGED : String(value);
}

/** A duration in seconds as "1d 2h 3m 4s", leaving out the zero units above seconds. */
export function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const parts = [
    days ? `${days}d` : "",
    hours ? `${hours}h` : "",
    minutes ? `${minutes}m` : "",
    `${seconds % 60}s`,
  ];
  return parts.filter(Boolean).join(" ");
}
