// The `?auto` form: "Name: value" lines that scripts parse, named as mod_status's where they mean
// the same (Total Accesses, ReqPerSec, BusyWorkers, Scoreboard...).
import { formatUptime } from "../../../status/report.ts";
import type { StatusPageReport } from "./page-report.ts";

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
  ];
  const shown = lines.filter(([, value]) => value !== null);
  return `${shown.map(([name, value]) => `${name}: ${value}`).join("\n")}\n`;
}

// Plain decimal notation with enough digits for a slow server's rate (String() turns 1e-7 into "1e-7").
function autoDecimal(value: number): string {
  return Number.isFinite(value) ? value.toFixed(6).replace(/\.?0+$/, "") : "0";
}
