// The `?auto` form: "Name: value" lines that scripts parse, named as mod_status's where they mean
// the same (Total Accesses, ReqPerSec, BusyWorkers, Scoreboard...).
import { formatUptime } from "../../../status/report.ts";
import type { StatusPageReport } from "./page-report.ts";

export function renderAuto(report: StatusPageReport): string {
  const { totals } = report;
  const lines: [string, string | number][] = [
    ["ServerVersion", `drover/${report.version ?? "unknown"}`],
    ["ServerMPM", "drover"],
    ["MasterPid", report.masterPid],
    ["Generation", report.generation],
    ["CurrentTime", report.currentTime],
    ["RestartTime", report.restartTime],
    ["ServerUptimeSeconds", report.uptimeSeconds],
    ["ServerUptime", formatUptime(report.uptimeSeconds)],
    ["SinceRestartSeconds", report.sinceRestartSeconds],
    ["GracefulRestarts", report.restarts.graceful],
    ["HardRestarts", report.restarts.hard],
    ["ChildrenStarted", report.childrenStarted],
    ["ChildrenFailed", report.childrenFailed],
    ["Total Accesses", totals.requests],
    ["Total kBytes", Math.floor(totals.bytes / 1024)],
    ["Uptime", report.uptimeSeconds],
    ["ReqPerSec", autoDecimal(report.requestsPerSecond)],
    ["BytesPerSec", autoDecimal(report.bytesPerSecond)],
    ["BytesPerReq", autoDecimal(report.bytesPerRequest)],
    ["BusyWorkers", totals.busyWorkers],
    ["IdleWorkers", totals.idleWorkers],
    ["Processes", totals.children],
    ["Stopping", report.children.filter((child) => child.quiescing).length],
    ["Scoreboard", report.scoreboard],
  ];
  return `${lines.map(([name, value]) => `${name}: ${value}`).join("\n")}\n`;
}

// Plain decimal notation with enough digits for a slow server's rate (String() turns 1e-7 into "1e-7").
function autoDecimal(value: number): string {
  return Number.isFinite(value) ? value.toFixed(6).replace(/\.?0+$/, "") : "0";
}
