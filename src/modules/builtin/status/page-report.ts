// What the status page shows, in every form: the report `drover status` prints, plus what a page
// has room for (restarts, rates, each worker's request). Its field names are the `?json` form's,
// documented in docs/status-page.md: add fields, never rename them.
import {
  isBusyWorkerState,
  type ScoreboardSnapshot,
  type WorkerSnapshot,
} from "../../../scoreboard/index.ts";
import {
  type ChildStatus,
  type DroneStatus,
  headerField,
  type ServiceStatus,
  type StatusReport,
  statusReport,
} from "../../../status/report.ts";
import { isRunning } from "../../../status/service-report.ts";

export interface WorkerStatus {
  readonly worker: number;
  /** The mod_status letter of its state; "?" when the record is damaged. */
  readonly letter: string;
  /** Holding a connection (R, W, K, L, C, G). */
  readonly busy: boolean;
  /** Null when the record is damaged. */
  readonly requests: number | null;
  readonly bytes: number | null;
  /** The request in progress, or else the last one served ("GET /path"); "" when none is known. */
  readonly request: string;
  /** Whether `request` is running now. */
  readonly inProgress: boolean;
  /** How long the request in progress has run; null when none is. */
  readonly requestAgeMs: number | null;
  /** The fields out of range, when the record is damaged; empty when it is sound. */
  readonly damaged: readonly string[];
}

export interface ChildPageStatus extends ChildStatus {
  /** From a generation older than the master's: draining after a graceful restart. */
  readonly oldGeneration: boolean;
  readonly bytes: number;
  readonly workers: readonly WorkerStatus[];
}

export interface DronePageStatus extends DroneStatus {
  /** From a generation older than the master's: finishing its calls after a graceful restart. */
  readonly oldGeneration: boolean;
  /** One per worker slot, a slot per call it may run at once; `request` is the method. */
  readonly workers: readonly WorkerStatus[];
}

export interface ServicePageStatus extends Omit<ServiceStatus, "droneProcesses"> {
  readonly droneProcesses: readonly DronePageStatus[];
}

export interface StatusPageReport
  extends Omit<StatusReport, "children" | "counters" | "services" | "otherDrones"> {
  /** drover's version, when its package.json could be read. */
  readonly version: string | null;
  /**
   * When the report was made, and when the master started and last restarted (ISO 8601). Here and
   * below, null stands for a value the scoreboard's header holds damaged (see `damaged`).
   */
  readonly currentTime: string;
  readonly startTime: string | null;
  readonly restartTime: string | null;
  readonly sinceRestartSeconds: number | null;
  readonly restarts: StatusReport["restarts"];
  /** Children forked, and children that exited without being asked to, since the master started. */
  readonly childrenStarted: number | null;
  readonly childrenFailed: number | null;
  /** Averages over the uptime. */
  readonly requestsPerSecond: number | null;
  readonly bytesPerSecond: number | null;
  readonly bytesPerRequest: number;
  /** Every child's grid, in slot order. */
  readonly scoreboard: string;
  readonly children: readonly ChildPageStatus[];
  /** The dispatch pool's services, each with its drones (as `drover status --json`, plus workers). */
  readonly services: readonly ServicePageStatus[];
  readonly otherDrones: readonly DronePageStatus[];
}

export function statusPageReport(
  snapshot: ScoreboardSnapshot,
  version: string | null,
  now = Date.now(),
): StatusPageReport {
  const base = statusReport(snapshot, now);
  const { requests, bytes } = base.totals;
  const uptime = base.uptimeSeconds;
  const field = (name: string, value: number) => headerField(snapshot, name, value);
  const startTime = field("startTime", snapshot.startTime);
  const restartTime = field("restartTime", snapshot.restartTime);
  const { counters } = snapshot;
  const processes = new Map(snapshot.processes.map((p) => [p.slot, p]));
  const drone = (d: DroneStatus): DronePageStatus => ({
    ...d,
    oldGeneration: d.generation < snapshot.generation,
    workers: (processes.get(d.slot)?.workers ?? []).map((worker) => workerStatus(worker, now)),
  });
  return {
    masterPid: base.masterPid,
    generation: base.generation,
    version,
    currentTime: new Date(now).toISOString(),
    startTime: startTime === null ? null : new Date(startTime).toISOString(),
    restartTime: restartTime === null ? null : new Date(restartTime).toISOString(),
    uptimeSeconds: uptime,
    sinceRestartSeconds: restartTime === null ? null : Math.max(0, Math.floor((now - restartTime) / 1000)),
    restarts: base.restarts,
    childrenStarted: field("childrenStarted", counters.childrenStarted),
    childrenFailed: field("childrenFailed", counters.childrenFailed),
    totals: base.totals,
    requestsPerSecond: uptime === null ? null : uptime > 0 ? requests / uptime : 0,
    bytesPerSecond: uptime === null ? null : uptime > 0 ? bytes / uptime : 0,
    bytesPerRequest: requests > 0 ? bytes / requests : 0,
    scoreboard: base.children.map((child) => child.grid).join(""),
    damaged: base.damaged,
    children: base.children.map((child) => {
      const process = processes.get(child.slot);
      return {
        ...child,
        oldGeneration: child.generation < snapshot.generation,
        bytes: process?.bytes ?? 0,
        workers: (process?.workers ?? []).map((worker) => workerStatus(worker, now)),
      };
    }),
    services: base.services.map((service) => ({
      ...service,
      droneProcesses: service.droneProcesses.map(drone),
    })),
    otherDrones: base.otherDrones.map(drone),
  };
}

function workerStatus(worker: WorkerSnapshot, now: number): WorkerStatus {
  if (worker.damaged.length > 0) {
    return {
      worker: worker.worker,
      letter: worker.letter,
      busy: false,
      requests: null,
      bytes: null,
      request: "",
      inProgress: false,
      requestAgeMs: null,
      damaged: worker.damaged,
    };
  }
  const inProgress = isRunning(worker);
  return {
    worker: worker.worker,
    letter: worker.letter,
    busy: isBusyWorkerState(worker.state),
    requests: worker.requests,
    bytes: worker.bytes,
    request: worker.request,
    inProgress,
    requestAgeMs: inProgress && worker.requestStart > 0 ? Math.max(0, now - worker.requestStart) : null,
    damaged: worker.damaged,
  };
}
