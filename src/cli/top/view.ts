// What `drover top` shows, from one status report and the one before it: the rates (requests and calls
// per second, CPU percent) are the counters' differences between two redraws, per process by pid, so a
// replaced child starts afresh rather than borrowing its slot's history.
import type { ChildStatus, DroneStatus, ServiceStatus, StatusReport } from "../../status/report.ts";

/** The master as `top` sees it: running, stopped (SIGSTOP, a debugger), or gone. */
export type MasterState = "running" | "stopped" | "gone";

export interface ProcessRow {
  readonly process: ChildStatus | DroneStatus;
  /** Requests (calls, for a drone) per second since the last redraw; null on its first. */
  readonly perSecond: number | null;
  /** CPU used since the last redraw, as a percent of one CPU; null when unknown. */
  readonly cpuPercent: number | null;
}

export interface ServiceRow {
  readonly service: ServiceStatus;
  readonly callsPerSecond: number | null;
  readonly drones: readonly ProcessRow[];
}

export interface TopView {
  readonly report: StatusReport;
  readonly master: MasterState;
  /** When the report was made (ms since the epoch). */
  readonly at: number;
  readonly requestsPerSecond: number | null;
  readonly children: readonly ProcessRow[];
  readonly services: readonly ServiceRow[];
}

interface Counts {
  readonly at: number;
  /** By pid: requests served, CPU seconds used. */
  readonly processes: ReadonlyMap<number, { readonly requests: number; readonly cpu: number | null }>;
  /** By service name: calls received. */
  readonly services: ReadonlyMap<string, number>;
  readonly requests: number;
}

/** Turns each report into a view, with rates against the report before it. */
export class TopRates {
  #previous: Counts | undefined;

  next(report: StatusReport, master: MasterState, at: number): TopView {
    const previous = this.#previous;
    const seconds = previous === undefined ? 0 : (at - previous.at) / 1000;
    const rate = (now: number, before: number | undefined) =>
      before === undefined || seconds <= 0 ? null : Math.max(0, now - before) / seconds;
    const row = (process: ChildStatus | DroneStatus): ProcessRow => {
      const before = previous?.processes.get(process.pid);
      const cpu = process.cpuSeconds;
      return {
        process,
        perSecond: rate(process.requests, before?.requests),
        cpuPercent: cpu === null || before?.cpu == null ? null : (rate(cpu, before.cpu) ?? 0) * 100,
      };
    };
    const drones = [...report.services.flatMap((s) => s.droneProcesses), ...report.otherDrones];
    this.#previous = {
      at,
      processes: new Map(
        [...report.children, ...drones].map((p) => [p.pid, { requests: p.requests, cpu: p.cpuSeconds }]),
      ),
      services: new Map(report.services.map((s) => [s.name, s.counters.calls])),
      requests: report.totals.requests,
    };
    return {
      report,
      master,
      at,
      requestsPerSecond: rate(report.totals.requests, previous?.requests),
      children: report.children.map(row),
      services: report.services.map((service) => ({
        service,
        callsPerSecond: rate(service.counters.calls, previous?.services.get(service.name)),
        drones: service.droneProcesses.map(row),
      })),
    };
  }
}
