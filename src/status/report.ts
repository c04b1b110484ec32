// What `drover status` shows, made from a scoreboard snapshot alone: it needs nothing from the master,
// so it answers even when the master is busy.
import {
  isQuiescing,
  processStateName,
  type ScoreboardSnapshot,
  WORKER_STATE_KEY,
} from "../scoreboard/index.ts";

export interface ChildStatus {
  readonly slot: number;
  readonly pid: number;
  readonly generation: number;
  /** From an older generation, or told to drain: it takes no new connection. */
  readonly quiescing: boolean;
  readonly state: string;
  readonly requests: number;
  readonly busyWorkers: number;
  readonly idleWorkers: number;
  readonly heartbeatAgeMs: number;
  readonly rssBytes: number;
  /** Requests waiting in its slow lane now, and those that have gone through it. */
  readonly slowLaneWaiting: number;
  readonly slowLaneRequests: number;
  /** One mod_status letter per worker slot. */
  readonly grid: string;
}

export interface StatusReport {
  readonly masterPid: number;
  readonly generation: number;
  readonly uptimeSeconds: number;
  /** Restarts by kind, and children started and failed, since the master started. */
  readonly counters: ScoreboardSnapshot["counters"];
  readonly totals: Omit<ScoreboardSnapshot["totals"], "connections">;
  readonly children: readonly ChildStatus[];
}

export function statusReport(snapshot: ScoreboardSnapshot, now = Date.now()): StatusReport {
  const { totals } = snapshot;
  return {
    masterPid: snapshot.masterPid,
    generation: snapshot.generation,
    uptimeSeconds: Math.max(0, Math.floor((now - snapshot.startTime) / 1000)),
    counters: snapshot.counters,
    totals: {
      children: totals.children,
      busyWorkers: totals.busyWorkers,
      idleWorkers: totals.idleWorkers,
      requests: totals.requests,
      bytes: totals.bytes,
    },
    children: snapshot.processes.map((p) => ({
      slot: p.slot,
      pid: p.pid,
      generation: p.generation,
      quiescing: isQuiescing(snapshot, p),
      state: processStateName(p.state),
      requests: p.requests,
      busyWorkers: p.busyWorkers,
      idleWorkers: p.idleWorkers,
      heartbeatAgeMs: Math.max(0, now - p.heartbeat),
      rssBytes: p.rss,
      slowLaneWaiting: p.slowLaneWaiting,
      slowLaneRequests: p.slowLaneRequests,
      grid: p.workers.map((w) => w.letter).join(""),
    })),
  };
}

/** The report as text: a summary, one line per child, and the scoreboard grid with its key. */
export function formatStatus(report: StatusReport): string {
  const { totals } = report;
  const lines = [
    `drover master ${report.masterPid}, generation ${report.generation}, up ${formatUptime(report.uptimeSeconds)}`,
    `${totals.children} children, ${totals.busyWorkers} busy and ${totals.idleWorkers} idle workers, ` +
      `${totals.requests} requests, ${totals.bytes} bytes served`,
    "",
    "slot  pid       gen  state     requests  busy  idle  heartbeat",
  ];
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
        `${(child.heartbeatAgeMs / 1000).toFixed(1)} s ago`.padStart(11),
      ].join(" "),
    );
  }
  lines.push("(* old generation or draining: takes no new connection)", "", "Scoreboard:");
  for (const child of report.children) lines.push(`  ${String(child.slot).padStart(3)}  ${child.grid}`);
  lines.push("", "Key:");
  for (const [letter, meaning] of WORKER_STATE_KEY) lines.push(`  "${letter}" ${meaning}`);
  return lines.join("\n");
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
