// A running pool whose scoreboard is overwritten from outside, as the chaos review did it with dd:
// `drover status`, the status page in every form, and /metrics show the damaged records as damaged,
// print none of their numbers, count none of them, and keep serving.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { StatusPageReport } from "../../../src/modules/builtin/status/page-report.ts";
import { Scoreboard } from "../../../src/scoreboard/index.ts";
import { HeaderF64 } from "../../../src/scoreboard/layout.ts";
import type { StatusReport } from "../../../src/status/report.ts";
import { waitFor } from "../../harness/wait.ts";
import { damageAsSeen, overwriteFields, SEEN } from "../../support/corrupt.ts";
import { startDrover } from "../../support/drover.ts";
import { board, scoreboardFile } from "../../support/lifecycle.ts";

const APP = `export default (_req: any, res: any) => res.end("app " + process.pid);`;
// Two children in slots 0 and 1; slots 2 and 3 are past daemonsLimit, so the master never uses them.
const CONFIG = {
  serverLimit: 4,
  workersPerChild: 4,
  maxRequestWorkers: 8,
  startServers: 2,
  minSpareWorkers: 1,
  maxSpareWorkers: 8,
  modules: [{ use: "status" }, { use: "metrics" }],
};
// What the damage must never show: the values as numbers, the made-up child's state.
const NUMBERS = /e\+297|e\+296|1907494791|unknown/;

it("shows a damaged scoreboard as damaged in status, the status page and the metrics", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startDrover({ app: APP, config: CONFIG });
  t.after(() => drover.stop());
  await waitFor(
    "two ready children",
    () => board(drover.runDir).children.filter((c) => c.state === "ready").length === 2,
  );
  for (let i = 0; i < 3; i++) assert.equal((await drover.request("/")).status, 200);
  const path = scoreboardFile(drover.runDir);
  const opened = Scoreboard.open(path);
  const limits = opened.limits;
  opened.close();
  damageAsSeen(path, limits, { slot: 0, worker: 0, freeSlot: 3 });
  overwriteFields(path, 0, [[HeaderF64.startTime * 8, SEEN.requests, "f64"]]);

  const text = await drover.cli("status");
  assert.equal(text.status, 0, text.stderr);
  assert.doesNotMatch(text.stdout, NUMBERS, text.stdout);
  assert.match(text.stdout, /^drover master \d+, generation 0, up damaged$/m);
  assert.match(text.stdout, /^3 damaged scoreboard records/m);
  assert.match(text.stdout, /^ {2}slot 0 worker 0: requests, bytes/m);
  assert.match(text.stdout, /^ {2}child slot 3: pid, state/m);
  assert.match(text.stdout, /^ {2}the scoreboard header: startTime$/m);

  const json = await drover.cli("status", "--json");
  assert.equal(json.status, 0, json.stderr);
  assert.doesNotMatch(json.stdout, NUMBERS);
  const report = JSON.parse(json.stdout) as StatusReport;
  assert.equal(report.damaged.length, 3);
  assert.equal(report.uptimeSeconds, null);
  assert.deepEqual(
    report.children.map((c) => c.slot),
    [0, 1],
  );
  assert.ok(report.totals.requests >= 0 && report.totals.requests < 1_000, String(report.totals.requests));

  // Any child may answer: each reads the board on its own.
  const page = await drover.request("/server-status?json");
  assert.equal(page.status, 200, page.body);
  assert.doesNotMatch(page.body, NUMBERS);
  const pageReport = JSON.parse(page.body) as StatusPageReport;
  assert.equal(pageReport.startTime, null);
  assert.deepEqual(
    pageReport.damaged.map((d) => [d.record, d.slot, d.worker]),
    [
      ["header", null, null],
      ["worker", 0, 0],
      ["child", 3, null],
    ],
  );
  const slot0 = pageReport.children.find((c) => c.slot === 0);
  assert.deepEqual(slot0?.workers[0], {
    worker: 0,
    letter: "?",
    busy: false,
    requests: null,
    bytes: null,
    request: "",
    inProgress: false,
    requestAgeMs: null,
    damaged: ["requests", "bytes"],
  });

  const html = await drover.request("/server-status");
  assert.equal(html.status, 200, html.body);
  assert.doesNotMatch(html.body, NUMBERS);
  assert.match(html.body, /<dt>Started<\/dt><dd>damaged<\/dd>/);
  assert.match(html.body, /<h2>Damaged records<\/h2>/);
  assert.match(html.body, /<li data-record="child" data-slot="3">child slot 3: pid, state/);

  const auto = await drover.request("/server-status?auto");
  assert.equal(auto.status, 200);
  assert.doesNotMatch(auto.body, NUMBERS);
  assert.match(auto.body, /^DamagedRecords: 3$/m);
  assert.doesNotMatch(auto.body, /^ServerUptimeSeconds:/m, "a damaged value has no line");

  const metrics = await drover.request("/metrics");
  assert.equal(metrics.status, 200);
  assert.doesNotMatch(metrics.body, NUMBERS);
  assert.match(metrics.body, /^drover_scoreboard_damaged_records 3$/m);
  assert.doesNotMatch(metrics.body, /slot="3"/, "the made-up child has no series");
  assert.doesNotMatch(metrics.body, /^drover_start_time_seconds /m, "a damaged header field has no sample");
  assert.match(metrics.body, /^drover_children\{state="ready"\} 2$/m);

  assert.equal((await drover.request("/")).status, 200, "the pool goes on serving");
});
