// What `drover top` draws, from real scoreboards filled by the writers the master, children and drones
// use: the rates between two redraws (requests and calls per second, CPU percent, per pid), and a frame
// that fits the terminal whatever its size, cut and never wrapped.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderFrame } from "../../src/cli/top/frame.ts";
import { TopRates } from "../../src/cli/top/view.ts";
import { statusReport } from "../../src/status/report.ts";
import { busyDrone, readyChild, serviceFields, withServiceBoard } from "../support/service-board.ts";

const T0 = Date.now();

/** Two redraws 2 s apart: child 4100 served 6 requests and used 0.5 s of CPU, "math" took 20 calls. */
function twoViews() {
  return withServiceBoard((board) => {
    board.master.writeService(0, serviceFields("math"));
    readyChild(board, 0, 4100, T0);
    readyChild(board, 1, 4101, T0);
    busyDrone(board, 2, 0, 4200, "add", T0 - 1500, T0);
    const cpu = new Map([
      [4100, 1.0],
      [4101, 2.0],
      [4200, 0.1],
    ]);
    const rates = new TopRates();
    const first = rates.next(
      statusReport(board.snapshot(T0), T0, (pid) => cpu.get(pid)),
      "running",
      T0,
    );
    for (let i = 0; i < 6; i++) board.workerWriter(0, 0).requestFinished(10, T0 + 1000);
    board.master.writeService(
      0,
      serviceFields("math", { counters: { ...serviceFields("math").counters, calls: 60 } }),
    );
    cpu.set(4100, 1.5);
    const at = T0 + 2000;
    const second = rates.next(
      statusReport(board.snapshot(at), at, (pid) => cpu.get(pid)),
      "stopped",
      at,
    );
    return { first, second };
  });
}

describe("drover top's view", () => {
  it("rates are the counters' differences since the last redraw; the first has none", () => {
    const { first, second } = twoViews();
    assert.deepEqual(
      first.children.map((row) => [row.process.pid, row.perSecond, row.cpuPercent]),
      [
        [4100, null, null],
        [4101, null, null],
      ],
    );
    assert.deepEqual(
      second.children.map((row) => [row.process.pid, row.perSecond, row.cpuPercent]),
      [
        [4100, 3, 25],
        [4101, 0, 0],
      ],
    );
    assert.equal(second.requestsPerSecond, 3);
    assert.equal(second.services[0]?.callsPerSecond, 10);
    assert.equal(second.services[0]?.drones[0]?.process.pid, 4200);
  });

  it("draws the summary, a row per child and drone, the service and the grid", () => {
    const lines = renderFrame(twoViews().second, 160, 50);
    assert.match(lines[0] ?? "", /^drover top \(q quits\) {2}\d\d:\d\d:\d\d {2}master \d+ \(STOPPED/);
    assert.match(
      lines[1] ?? "",
      /^2 children, 0 busy and 4 idle workers, 3\.0 requests\/s, 8 requests in all;/,
    );
    assert.ok(
      lines.some((line) => /^0 +4100 +0 +ready +3\.0 +7 +0 +2 .* 25\.0 +1\.50 s /.test(line)),
      lines.join("\n"),
    );
    assert.ok(
      lines.some((line) => /^Service math, generation 0: 2 drones .* 10\.0 calls\/s, 60 calls/.test(line)),
    );
    assert.ok(
      lines.some((line) => /^2 +4200 +0 +ready .* add$/.test(line)),
      "the drone's running call",
    );
    assert.ok(lines.includes("    0  __") && lines.includes("   d2  W_"), lines.join("\n"));
  });

  it("fits any terminal: lines cut to its width, no more than its height, the last saying so", () => {
    const view = twoViews().second;
    for (const [width, height] of [
      [120, 40],
      [60, 10],
      [20, 3],
      [1, 1],
    ] as const) {
      const lines = renderFrame(view, width, height);
      assert.ok(lines.length <= height, `${lines.length} lines for ${height}`);
      assert.ok(lines.every((line) => line.length <= width && /^[\x20-\x7e]*$/.test(line)));
    }
    const short = renderFrame(view, 200, 6);
    assert.equal(short.length, 6);
    assert.match(short[5] ?? "", /^\.\.\. \d+ more lines: a taller terminal shows them$/);
  });
});
