// One screen of `drover top`, as lines that fit the terminal: none is longer than its width (they are
// cut, never wrapped) and there are no more than its height (the last says how many did not fit). The
// summary and the processes come first, the worker grid last, so a short terminal loses the grid first.

import { cpuTime, megabytes, plural, shortDuration } from "../../status/figures.ts";
import { formatUptime } from "../../status/report.ts";
import type { ProcessRow, ServiceRow, TopView } from "./view.ts";

const PROCESS_HEADER = `${cell("SLOT", 5)}${cell("PID", 9)}${cell("GEN", 5)}${cell("STATE", 9)}${right("REQ/S", 8)}${right("TOTAL", 10)}${right("BUSY", 6)}${right("IDLE", 6)}${right("MEM", 10)}${right("CPU%", 7)}${right("CPU", 9)}${right("HEARTBEAT", 10)}${right("UPTIME", 9)}  SLOW LANE`;
const DRONE_HEADER = PROCESS_HEADER.replace("REQ/S", "CALL/S").replace("SLOW LANE", "RUNNING");
const KEY = "_ idle  R read  W reply  K keepalive  C close  G graceful  S start  I retiring  . no worker";

export function renderFrame(view: TopView, width: number, height: number): string[] {
  const { report } = view;
  const lines = [
    `drover top (q quits)  ${clock(view.at)}  master ${report.masterPid ?? "?"} ${masterWords(view)}, ` +
      `generation ${report.generation ?? "?"}, up ${report.uptimeSeconds === null ? "?" : formatUptime(report.uptimeSeconds)}`,
    `${plural(report.totals.children, "child", "children")}, ${report.totals.busyWorkers} busy and ` +
      `${report.totals.idleWorkers} idle workers, ${rate(view.requestsPerSecond)} requests/s, ` +
      `${report.totals.requests} requests in all; restarts ${report.restarts.graceful ?? "?"} graceful, ` +
      `${report.restarts.hard ?? "?"} hard; children ${report.childrenStarted ?? "?"} started, ` +
      `${report.childrenFailed ?? "?"} failed` +
      (report.damaged.length > 0 ? `; ${report.damaged.length} damaged records` : ""),
    "",
    PROCESS_HEADER,
    ...view.children.map((row) => processLine(row, slowLane(row))),
  ];
  if (view.children.length === 0) lines.push("  (no child on the scoreboard)");
  for (const service of view.services) lines.push("", ...serviceLines(service));
  lines.push("", `Workers (${KEY}):`);
  const gridWidth = Math.max(8, width - 7);
  for (const { process } of [...view.children, ...view.services.flatMap((s) => s.drones)]) {
    const label = process.role === "drone" ? `d${process.slot}` : String(process.slot);
    for (let at = 0; at < process.grid.length || at === 0; at += gridWidth) {
      lines.push(`${(at === 0 ? label : "").padStart(5)}  ${process.grid.slice(at, at + gridWidth)}`);
    }
  }
  return fit(lines, width, height);
}

function serviceLines({ service, callsPerSecond, drones }: ServiceRow): string[] {
  const c = service.counters;
  return [
    `Service ${service.name}, generation ${service.generation}: ${plural(service.drones, "drone", "drones")} ` +
      `(${service.idleDrones} idle, ${service.startingDrones} starting), backlog ${service.backlog} ` +
      `(high-water ${service.backlogHighWater}), ${rate(callsPerSecond)} calls/s, ${c.calls} calls, ` +
      `${c.failed} failed, ${c.rejected} rejected, ${c.expired} expired; run time p50 ${ms(service.runTime.p50Ms)}, ` +
      `p99 ${ms(service.runTime.p99Ms)}`,
    DRONE_HEADER,
    ...drones.map((row) => processLine(row, running(row))),
    ...(drones.length === 0 ? ["  (no drone on the scoreboard)"] : []),
  ];
}

function processLine({ process: p, perSecond, cpuPercent }: ProcessRow, last: string): string {
  return (
    cell(String(p.slot), 5) +
    cell(String(p.pid), 9) +
    cell(`${p.generation}${p.quiescing ? "*" : ""}`, 5) +
    cell(p.state, 9) +
    right(rate(perSecond), 8) +
    right(String(p.requests), 10) +
    right(String(p.busyWorkers), 6) +
    right(String(p.idleWorkers), 6) +
    right(megabytes(p.rssBytes), 10) +
    right(cpuPercent === null ? "-" : cpuPercent.toFixed(1), 7) +
    right(cpuTime(p.cpuSeconds), 9) +
    right(`${(p.heartbeatAgeMs / 1000).toFixed(1)} s`, 10) +
    right(shortDuration(p.uptimeSeconds), 9) +
    `  ${last}`
  );
}

function slowLane({ process }: ProcessRow): string {
  if (process.role !== "child") return "";
  return `${process.slowLaneWaiting} waiting, ${process.slowLaneRequests} in all, ${process.slowLaneShed} shed`;
}

function running({ process }: ProcessRow): string {
  if (process.role !== "drone") return "";
  return process.calls.map((call) => call.method).join(", ");
}

function masterWords(view: TopView): string {
  if (view.master === "stopped") return "(STOPPED: SIGSTOP? the children serve on)";
  if (view.master === "gone") return "(GONE)";
  return "(running)";
}

/** Cuts every line to `width` and keeps at most `height`, the last saying how many more there are. */
export function fit(lines: readonly string[], width: number, height: number): string[] {
  const cut = (line: string) => printable(line).slice(0, Math.max(0, width));
  if (lines.length <= height) return lines.map(cut);
  const kept = lines.slice(0, Math.max(0, height - 1)).map(cut);
  return [...kept, cut(`... ${lines.length - kept.length} more lines: a taller terminal shows them`)];
}

// Names come from the config and request lines from clients: nothing but printable ASCII reaches the
// terminal, so no escape sequence, and every character one column wide.
function printable(line: string): string {
  return line.replace(/[^\x20-\x7e]/g, "?");
}

function cell(text: string, width: number): string {
  return `${text.padEnd(width - 1)} `;
}

function right(text: string, width: number): string {
  return text.padStart(width);
}

function rate(value: number | null): string {
  if (value === null) return "-";
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function ms(value: number | null): string {
  return value === null ? "-" : `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
}

function clock(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}
