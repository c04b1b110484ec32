// `drover status` of a scoreboard holding a dispatch pool beside the listener pool: a section per
// service (its record) with its drones (their records), and the children's rows and totals as before.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Proc, SvcF64, serviceRecordOffset } from "../../src/scoreboard/layout.ts";
import { latencyQuantile } from "../../src/status/latency.ts";
import { formatStatus, type StatusReport, statusReport } from "../../src/status/report.ts";
import { ownFdPath } from "../harness/temp.ts";
import { overwriteFields, processRecordOffset } from "../support/corrupt.ts";
import {
  busyDrone,
  histogram,
  readyChild,
  SHAPE,
  serviceFields,
  withServiceBoard,
} from "../support/service-board.ts";

const NOW = Date.now();

/** Two children; "math" (record 0) with two drones, "text" (record 2) with none; a drone of record 1. */
function mixedReport(damage?: (path: string) => void): StatusReport {
  return withServiceBoard((board) => {
    board.master.writeService(0, serviceFields("math"));
    board.master.writeService(
      2,
      serviceFields("text", { drones: 0, idleDrones: 0, sessionsOpen: 0, nats: "full" }),
    );
    readyChild(board, 0, 4100, NOW);
    readyChild(board, 1, 4101, NOW);
    busyDrone(board, 2, 0, 4200, "add", NOW - 1500, NOW);
    busyDrone(board, 3, 0, 4201, "sub", NOW - 200, NOW);
    busyDrone(board, 4, 1, 4202, "lost", NOW, NOW);
    damage?.(ownFdPath(board.fd));
    return statusReport(board.snapshot(NOW), NOW);
  });
}

describe("drover status with a dispatch pool", () => {
  it("gives each service its record and its drones, and the children as a listener pool alone", () => {
    const report = mixedReport();
    assert.deepEqual(report.totals, { children: 2, busyWorkers: 0, idleWorkers: 4, requests: 2, bytes: 200 });
    assert.deepEqual(
      report.children.map((c) => [c.slot, c.role, c.service, c.grid]),
      [
        [0, "child", null, "__"],
        [1, "child", null, "__"],
      ],
    );
    const [math, text] = report.services;
    assert.deepEqual(
      report.services.map((s) => [s.index, s.name, s.droneProcesses.map((d) => d.slot)]),
      [
        [0, "math", [2, 3]],
        [2, "text", []],
      ],
    );
    assert.deepEqual(math?.counters, serviceFields("math").counters);
    assert.deepEqual(
      [math?.drones, math?.idleDrones, math?.backlog, math?.backlogHighWater, math?.sessionsOpen],
      [2, 1, 3, 7, 1],
    );
    // 0.2, 0.3, 4 and 20 ms: the median halfway through (0.25, 0.5], the 99th near the top of (10, 25].
    assert.deepEqual(math?.queueWait, {
      count: 4,
      sumMs: 24.5,
      p50Ms: 0.5,
      p99Ms: 24.4,
      buckets: [0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    assert.equal(math?.runTime.p50Ms, 1.75);
    assert.equal(math?.runTime.p99Ms, 10_000, "past the highest bound: the highest bound");
    assert.equal(text?.queueWait.count, 4);
    assert.deepEqual([math?.nats, text?.nats], [null, "full"], "null: no NATS transport");

    const [first] = math?.droneProcesses ?? [];
    assert.deepEqual(first, {
      slot: 2,
      role: "drone",
      service: "math",
      pid: 4200,
      generation: 0,
      quiescing: false,
      state: "ready",
      requests: 4,
      busyWorkers: 1,
      idleWorkers: 1,
      heartbeatAgeMs: 0,
      rssBytes: 30 * 1024 * 1024,
      uptimeSeconds: 0,
      cpuSeconds: null,
      grid: "W_",
      calls: [{ worker: 0, method: "add", ageMs: 1500 }],
    });
    assert.deepEqual(
      report.otherDrones.map((d) => [d.slot, d.service]),
      [[4, null]],
      "record 1 holds no service",
    );
    assert.deepEqual(report.damaged, []);
  });

  it("prints a section per service, with a row and a grid line per drone", () => {
    const text = formatStatus(mixedReport());
    assert.match(text, /^2 children, 0 busy and 4 idle workers, 2 requests, 200 bytes served$/m);
    assert.match(
      text,
      /^Service "math", generation 0: 2 drones \(1 idle, 0 starting\), backlog 3 \(high-water 7\), 1 session open$/m,
    );
    assert.match(
      text,
      /^ {2}calls: 40 received, 30 completed, 9 failed; 2 rejected, 3 expired, 1 cancelled, 1 drone exit, 1 poison; 4 retries; 5 sessions opened$/m,
    );
    assert.match(
      text,
      /^ {2}drones: 3 started, 1 failed \(exited without being asked to, or killed as stuck\)$/m,
    );
    assert.match(text, /^ {2}queue wait: p50 0\.5 ms, p99 24 ms; run time: p50 1\.75 ms, p99 > 10 s$/m);
    assert.match(
      text,
      /^ {2}slot {2}pid {7}gen {2}state {5}requests {7}rss {7}cpu {3}heartbeat {2}running$/m,
    );
    // No CPU figure: this report was made without reading /proc.
    assert.match(
      text,
      /^ {2}2 {5}4200 {6}0 {4}ready {12}4 {3}30\.0 MB {9}- {3}0\.0 s ago {2}add \(1\.5 s\)$/m,
    );
    assert.match(text, /^ {2}3 {5}4201 .* {2}sub \(0\.2 s\)$/m);
    assert.match(text, /^ {4}2 {2}W_$/m);
    assert.match(
      text,
      /^Service "text", generation 0: 0 drones .*, 0 sessions open; NATS: out of its queue group while the backlog is full\n.*\n.*\n.*\n {2}\(no drone on the scoreboard\)$/m,
    );
    assert.match(text, /^Drones of no known service .*\n.*\n {2}4 {5}4202 /m);
    assert.match(text, /^Drones: W running a call, K held by a session/m);
    // The children's part is as it was: no drone among them.
    const children = text.slice(0, text.indexOf("Service "));
    assert.doesNotMatch(children, /4200|4201|4202/);
  });

  it("prints nothing of a dispatch pool where there is none", () => {
    withServiceBoard((board) => {
      readyChild(board, 0, 4100, NOW);
      const report = statusReport(board.snapshot(NOW), NOW);
      assert.deepEqual([report.services, report.otherDrones], [[], []]);
      assert.doesNotMatch(formatStatus(report), /Service|Drones|drone/);
    });
  });

  it("names damaged drone and service records, and shows neither's numbers", () => {
    const report = mixedReport((path) => {
      overwriteFields(path, processRecordOffset(3), [[Proc.service * 4, 99, "i32"]]);
      overwriteFields(path, serviceRecordOffset(SHAPE, 2), [[SvcF64.calls * 8, 3.3e297, "f64"]]);
    });
    assert.deepEqual(report.damaged, [
      { record: "drone", slot: 3, worker: null, fields: ["service"] },
      { record: "service", slot: null, worker: null, service: 2, fields: ["calls"] },
    ]);
    assert.deepEqual(
      report.services.map((s) => [s.name, s.droneProcesses.map((d) => d.slot)]),
      [["math", [2]]],
    );
    const text = formatStatus(report);
    assert.match(text, /^ {2}drone slot 3: service$/m);
    assert.match(text, /^ {2}service record 2: calls$/m);
    assert.doesNotMatch(`${text}${JSON.stringify(report)}`, /e\+297/);
  });
});

describe("latency percentiles from histogram buckets", () => {
  it("places a rank linearly within its bucket, as histogram_quantile does", () => {
    assert.equal(latencyQuantile(histogram(), 0.5), undefined, "nothing observed");
    assert.deepEqual(latencyQuantile(histogram(0.05), 0.5), { ms: 0.05, above: false });
    assert.deepEqual(latencyQuantile(histogram(3, 4, 4, 5), 0.5), { ms: 3.75, above: false });
    assert.deepEqual(latencyQuantile(histogram(30_000), 0.01), { ms: 10_000, above: true });
  });
});
