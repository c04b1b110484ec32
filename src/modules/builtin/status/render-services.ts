// The dispatch pool on the HTML page: a section per service (its counters, backlog, sessions and
// latencies, then its drones' grid and table), and the drones of no known service. Nothing when the
// scoreboard holds no service.
import { formatLatency, latencyQuantile } from "../../../status/latency.ts";
import { DRONE_KEY, handedOff, NATS_WORDS } from "../../../status/service-text.ts";
import { formatBytes, formatSeconds } from "./format.ts";
import { currentRequests, escapeHtml, gridRow, marker } from "./html.ts";
import type { DronePageStatus, ServicePageStatus, StatusPageReport } from "./page-report.ts";

export function servicesHtml(report: StatusPageReport): string {
  if (report.services.length === 0 && report.otherDrones.length === 0) return "";
  const sections = report.services.map(serviceSection);
  if (report.otherDrones.length > 0) {
    sections.push(`<section id="other-drones" class="service">
<h3>Drones of no known service</h3>
<p class="damaged">Their service record is gone or damaged.</p>
${drones(report.otherDrones)}
</section>`);
  }
  return `<h2>Services</h2>
<p class="sub">${escapeHtml(DRONE_KEY)}</p>
${sections.join("\n")}
`;
}

function serviceSection(service: ServicePageStatus): string {
  const c = service.counters;
  const rows: [string, string][] = [
    ["Generation", String(service.generation)],
    ["Drones", `${service.drones} (${service.idleDrones} idle, ${service.startingDrones} starting)`],
    ["Backlog", `${service.backlog} waiting (high-water ${service.backlogHighWater})`],
    ["Sessions", `${service.sessionsOpen} open, ${c.sessionsOpened} opened`],
    ["Drones started", `${c.dronesStarted} (${c.dronesFailed} failed)`],
    ["Calls", `${c.calls} received, ${c.completed} completed, ${c.failed} failed${handedOff(c.handedOff)}`],
    [
      "Failures",
      `${c.rejected} rejected, ${c.expired} expired, ${c.cancelled} cancelled, ` +
        `${c.droneExits} drone exits, ${c.poison} poison; ${c.retries} retries`,
    ],
    ["Queue wait", percentiles(service.queueWait.buckets)],
    ["Run time", percentiles(service.runTime.buckets)],
    ...(service.nats ? ([["NATS", NATS_WORDS[service.nats]]] as [string, string][]) : []),
  ];
  const items = rows.map(([name, value]) => `<dt>${name}</dt><dd>${escapeHtml(value)}</dd>`).join("\n");
  const name = escapeHtml(service.name);
  return `<section class="service" data-service="${name}" data-index="${service.index}">
<h3>${name}</h3>
<dl class="summary">
${items}
</dl>
${drones(service.droneProcesses)}
</section>`;
}

function percentiles(counts: readonly number[]): string {
  const histogram = { counts, count: 0, sumMs: 0 };
  return (
    `p50 ${formatLatency(latencyQuantile(histogram, 0.5))}, ` +
    `p99 ${formatLatency(latencyQuantile(histogram, 0.99))}`
  );
}

// The drones' grid, then a row each: the calls it runs now with their age, as the children's table.
function drones(list: readonly DronePageStatus[]): string {
  if (list.length === 0) return `<p>no drone on the scoreboard</p>`;
  const head = ["Slot", "PID", "Generation", "State", "Calls", "Busy", "Idle", "Running", "Heartbeat", "RSS"];
  const rows = list.map((drone) => {
    const cells = [
      `<td class="num">${drone.slot}</td>`,
      `<td class="num">${drone.pid}</td>`,
      `<td>${drone.generation}${marker(drone)}</td>`,
      `<td>${escapeHtml(drone.state)}</td>`,
      `<td class="num">${drone.requests}</td>`,
      `<td class="num">${drone.busyWorkers}</td>`,
      `<td class="num">${drone.idleWorkers}</td>`,
      `<td class="request">${currentRequests(drone.workers)}</td>`,
      `<td class="num">${formatSeconds(drone.heartbeatAgeMs)} ago</td>`,
      `<td class="num">${drone.rssBytes > 0 ? formatBytes(drone.rssBytes) : "-"}</td>`,
    ];
    const old = drone.oldGeneration ? ` class="old"` : "";
    return `<tr${old} data-slot="${drone.slot}" data-pid="${drone.pid}">${cells.join("")}</tr>`;
  });
  return `<div class="scoreboard">
${list.map(gridRow).join("\n")}
</div>
<table class="drones">
<thead><tr>${head.map((name) => `<th>${name}</th>`).join("")}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}
