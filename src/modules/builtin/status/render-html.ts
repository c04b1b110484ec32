// The HTML form: one self-contained page (inline CSS, no script, nothing fetched) that a browser, a
// terminal browser or a screenshot shows alike. Everything from the scoreboard is escaped: request
// lines come from clients.
import { WORKER_STATE_KEY } from "../../../scoreboard/index.ts";
import { DAMAGED, damagedRecordName, formatUptime } from "../../../status/report.ts";
import { formatBytes, formatDecimal, formatSeconds } from "./format.ts";
import { currentRequests, escapeHtml, gridRow, marker } from "./html.ts";
import type { ChildPageStatus, StatusPageReport } from "./page-report.ts";
import { servicesHtml } from "./render-services.ts";

export interface HtmlOptions {
  /** Seconds between reloads; 0 is off. */
  readonly refresh: number;
  /** Query parameters every link keeps (the token the page was opened with). */
  readonly carry: readonly (readonly [string, string])[];
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #111; background: #fff; }
h1 { font-size: 1.4em; margin: 0 0 .2em; }
h2 { font-size: 1.1em; margin: 1.4em 0 .4em; }
h3 { font-size: 1em; margin: 1.2em 0 .3em; }
section.service .scoreboard { margin: .6em 0; }
.sub { color: #555; margin: 0 0 1em; }
dl.summary { display: grid; grid-template-columns: max-content auto; gap: .15em 1.2em; margin: 0; }
dl.summary dt { color: #555; }
dl.summary dd { margin: 0; }
.scoreboard { font: 18px/1.5 ui-monospace, monospace; display: inline-block; padding: .5em .8em;
  background: #f4f4f4; border: 1px solid #ccc; }
.scoreboard .slot { display: inline-block; min-width: 3ch; margin-right: 1ch; color: #777; text-align: right; }
.scoreboard .letters { letter-spacing: .15em; white-space: pre; color: #000; font-weight: 600; }
.scoreboard b { color: #b00; }
.scoreboard .old .letters { color: #777; }
ul.key { list-style: none; padding: 0; margin: .6em 0 0; columns: 2 16em; max-width: 40em; }
ul.key code { font-weight: bold; margin-right: .6em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .2em .5em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.old td { color: #777; }
.damaged { color: #b00; }
.marker { font-size: .85em; padding: 0 .3em; border-radius: .2em; background: #fde7c4; color: #6a4100; }
td.request code { display: block; white-space: pre-wrap; word-break: break-all; }
footer { margin-top: 1.5em; color: #555; }
`;

export function renderHtml(report: StatusPageReport, options: HtmlOptions): string {
  const refreshMeta = options.refresh > 0 ? `<meta http-equiv="refresh" content="${options.refresh}">\n` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${refreshMeta}<title>drover status</title>
<style>${STYLE}</style>
</head>
<body>
<h1>drover status</h1>
<p class="sub">master ${orDamaged(report.masterPid)}, generation ${orDamaged(report.generation)}${
    report.version === null ? "" : `, drover ${escapeHtml(report.version)}`
  }</p>
${summary(report)}
<h2>Scoreboard</h2>
${grid(report)}
<ul id="key" class="key">
${WORKER_STATE_KEY.map(([letter, meaning]) => `<li><code>${escapeHtml(letter)}</code>${escapeHtml(meaning)}</li>`).join("\n")}
</ul>
<h2>Children</h2>
${childrenTable(report)}
${servicesHtml(report)}${damagedRecords(report)}<footer>${footer(options)}</footer>
</body>
</html>
`;
}

function summary(report: StatusPageReport): string {
  const { totals } = report;
  const { restarts, requestsPerSecond, bytesPerSecond } = report;
  const rows: [string, string][] = [
    ["Current time", report.currentTime],
    ["Started", orDamaged(report.startTime)],
    ["Server uptime", orDamaged(report.uptimeSeconds, formatUptime)],
    ["Since last restart", orDamaged(report.sinceRestartSeconds, formatUptime)],
    [
      "Restarts",
      `${orDamaged(restarts.graceful)} graceful, ${orDamaged(restarts.hard)} hard, ${orDamaged(restarts.failed)} failed` +
        (restarts.lastFailedSecondsAgo === null
          ? ""
          : ` (the last ${formatUptime(restarts.lastFailedSecondsAgo)} ago)`),
    ],
    ["Children started", `${orDamaged(report.childrenStarted)} (${orDamaged(report.childrenFailed)} failed)`],
    ["Total requests", String(totals.requests)],
    ["Total traffic", formatBytes(totals.bytes)],
    [
      "Averages",
      requestsPerSecond === null || bytesPerSecond === null
        ? DAMAGED
        : `${formatDecimal(requestsPerSecond)} requests/s, ${formatBytes(bytesPerSecond)}/s, ` +
          `${formatBytes(report.bytesPerRequest)}/request`,
    ],
    ["Workers", `${totals.busyWorkers} busy, ${totals.idleWorkers} idle`],
    ["Children", String(totals.children)],
  ];
  const items = rows.map(([name, value]) => `<dt>${name}</dt><dd>${escapeHtml(value)}</dd>`).join("\n");
  return `<dl id="summary" class="summary">\n${items}\n</dl>`;
}

// One line of letters per child, as mod_status's block; busy workers in bold.
function grid(report: StatusPageReport): string {
  const rows = report.children.map(gridRow);
  if (rows.length === 0) rows.push(`<div class="row">no children</div>`);
  return `<div id="scoreboard" class="scoreboard">\n${rows.join("\n")}\n</div>`;
}

function childrenTable(report: StatusPageReport): string {
  const head = [
    "Slot",
    "PID",
    "Generation",
    "State",
    "Requests",
    "Traffic",
    "Busy",
    "Idle",
    "Current requests",
    "Heartbeat",
    "RSS",
    "Slow lane",
  ];
  const rows = report.children.map((child) => {
    const cells = [
      `<td class="num">${child.slot}</td>`,
      `<td class="num">${child.pid}</td>`,
      `<td>${child.generation}${marker(child)}</td>`,
      `<td>${escapeHtml(child.state)}</td>`,
      `<td class="num">${child.requests}</td>`,
      `<td class="num">${formatBytes(child.bytes)}</td>`,
      `<td class="num">${child.busyWorkers}</td>`,
      `<td class="num">${child.idleWorkers}</td>`,
      `<td class="request">${currentRequests(child.workers)}</td>`,
      `<td class="num">${formatSeconds(child.heartbeatAgeMs)} ago</td>`,
      // RSS is 0 until the child's first heartbeat measures it.
      `<td class="num">${child.rssBytes > 0 ? formatBytes(child.rssBytes) : "-"}</td>`,
      `<td class="num">${slowLane(child)}</td>`,
    ];
    const old = child.oldGeneration ? ` class="old"` : "";
    return `<tr${old} data-slot="${child.slot}" data-pid="${child.pid}">${cells.join("")}</tr>`;
  });
  return `<table id="children">
<thead><tr>${head.map((name) => `<th>${name}</th>`).join("")}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

// Requests that went through the child's slow lane, and those waiting in it now.
function slowLane(child: ChildPageStatus): string {
  return child.slowLaneWaiting > 0
    ? `${child.slowLaneRequests} (${child.slowLaneWaiting} waiting)`
    : String(child.slowLaneRequests);
}

// Records holding values out of range: where they are and which fields, never their numbers.
function damagedRecords(report: StatusPageReport): string {
  if (report.damaged.length === 0) return "";
  const items = report.damaged.map(
    (record) =>
      `<li data-record="${record.record}"${record.slot === null ? "" : ` data-slot="${record.slot}"`}` +
      `${record.service === undefined ? "" : ` data-service="${record.service}"`}>` +
      `${escapeHtml(damagedRecordName(record))}: ${escapeHtml(record.fields.join(", "))}</li>`,
  );
  return `<h2>Damaged records</h2>
<p class="damaged">${report.damaged.length} scoreboard records hold values out of range (the shared memory was overwritten). They are not counted in the totals; damaged workers show as <code>?</code>. Check who can write the scoreboard file; a reload gives the children fresh records.</p>
<ul id="damaged">
${items.join("\n")}
</ul>
`;
}

function orDamaged<T extends string | number>(
  value: T | null,
  format: (value: T) => string = String,
): string {
  return value === null ? DAMAGED : format(value);
}

function footer(options: HtmlOptions): string {
  const links = [
    `<a href="${href(options.carry, ["json"])}">json</a>`,
    `<a href="${href(options.carry, ["auto"])}">auto</a>`,
  ];
  if (options.refresh > 0) {
    links.push(
      `reloads every ${options.refresh} s (<a href="${href(options.carry, ["refresh", "0"])}">stop</a>)`,
    );
  } else {
    links.push(`<a href="${href(options.carry, ["refresh", "5"])}">reload every 5 s</a>`);
  }
  return links.join(" · ");
}

// "?json&token=..." (a flag without "="), escaped for an attribute.
function href(carry: HtmlOptions["carry"], own: readonly [string, string?]): string {
  const parts = [own, ...carry].map(([name, value]) =>
    value === undefined
      ? encodeURIComponent(name)
      : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
  );
  return escapeHtml(`?${parts.join("&")}`);
}
