// What `drover configtest` prints after "the config is valid": the pool's sizing as the master will
// run it (after every adjustment), its limits and deadlines, and each service's drones.
import { formatListener } from "../config/index.ts";
import type { ResolvedConfig } from "../config/types/resolved-config.ts";

export function sizingLines(config: ResolvedConfig): string[] {
  const lines: string[] = [];
  const row = (label: string, text: string) => lines.push(`  ${`${label}:`.padEnd(14)}${text}`);
  if (config.app !== undefined) {
    row("listen", config.listen.map(formatListener).join(", "));
    row(
      "children",
      `${config.startServers} at start (startServers), at most ${config.daemonsLimit} (maxRequestWorkers ` +
        `${config.maxRequestWorkers} / workersPerChild ${config.workersPerChild}; serverLimit ${config.serverLimit})`,
    );
    row(
      "workers",
      `${config.workersPerChild} per child (workersPerChild; workerLimit ${config.workerLimit})`,
    );
    row(
      "spare band",
      `${config.minSpareWorkers} to ${config.maxSpareWorkers} idle workers (minSpareWorkers, maxSpareWorkers): ` +
        "fewer starts a child, more retires one",
    );
    const recycles =
      config.maxConnectionsPerChild +
        config.maxRequestsPerChild +
        config.maxChildMemory +
        config.maxChildAge >
      0;
    row(
      "recycling",
      [
        limit("connections", config.maxConnectionsPerChild),
        limit("requests", config.maxRequestsPerChild),
        config.maxChildMemory > 0 ? `RSS ${binaryBytes(config.maxChildMemory)}` : "no memory limit",
        config.maxChildAge > 0 ? `age ${duration(config.maxChildAge)}` : "no age limit",
      ].join(", ") +
        (recycles && config.recycleJitter > 0 ? ` (each ±${Math.round(config.recycleJitter * 100)}%)` : ""),
    );
    row(
      "slow lane",
      config.slowRequestThreshold > 0
        ? `routes over ${duration(config.slowRequestThreshold)}, waiting at most ` +
            (config.slowLaneMaxWait > 0 ? duration(config.slowLaneMaxWait) : "without bound")
        : "off",
    );
  }
  row(
    "deadlines",
    `graceful stop ${duration(config.gracefulShutdownTimeout)}, drain ${duration(config.drainTimeout)}, ` +
      `child start ${duration(config.childStartTimeout)}, hooks ${duration(config.hookTimeout)}, ` +
      `heartbeat ${config.heartbeatTimeout > 0 ? duration(config.heartbeatTimeout) : "off"}`,
  );
  if (config.user !== undefined || config.group !== undefined) {
    row(
      "runs as",
      `user ${config.user?.name ?? config.user?.id ?? "(drover's)"}, group ${config.group?.name ?? config.group?.id ?? "(the user's)"}`,
    );
  }
  row("run dir", config.runDir);
  for (const service of config.services) {
    lines.push(`  service "${service.name}" (${service.module}):`);
    lines.push(
      `    drones ${service.minDrones} to ${service.maxDrones} (minDrones, maxDrones), ` +
        `${service.minSpareDrones} to ${service.maxSpareDrones} idle (minSpareDrones, maxSpareDrones), ` +
        `${service.droneConcurrency} call${service.droneConcurrency === 1 ? "" : "s"} at once each`,
    );
    lines.push(
      `    backlog ${service.maxBacklog}, call timeout ${duration(service.requestTimeout)}, ` +
        `${limit("calls", service.maxRequestsPerDrone)} per drone, messages up to ${binaryBytes(service.maxMessageBytes)}`,
    );
  }
  return lines;
}

function limit(what: string, value: number): string {
  return value > 0 ? `${value} ${what}` : `no ${what.replace(/s$/, "")} limit`;
}

/** Milliseconds the way a config writes them: "500ms", "30s", "2m", "1h". */
export function duration(ms: number): string {
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return ms >= 1_000 ? `${ms / 1000}s` : `${ms}ms`;
}

const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** Bytes in the units a config takes sizes in ("64 MiB", "1.5 GiB"). */
function binaryBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${BINARY_UNITS[unit]}`;
}
