import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWrkOutput } from "../../bench/load/wrk-parse.ts";
import type { RunRecord } from "../../bench/measure.ts";
import { markdownTable } from "../../bench/report/markdown.ts";
import { replaceBetween } from "../../bench/report/markers.ts";
import { median, summarize } from "../../bench/report/summary.ts";
import { formatErrors } from "../../bench/report/table.ts";
import { figureGoals, figureRows, type Measure } from "../../bench/shared/results.ts";
import { figureLines } from "../../bench/shared/section.ts";

const WRK_OUTPUT = `Running 5s test @ http://127.0.0.1:40000/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.20ms    2.63ms  18.69ms   70.95%
  17810 requests in 2.01s, 2.24MB read
  Socket errors: connect 3, read 7, write 1, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:   8869.01
BENCH_RESULT {"duration_us":2000000,"requests":17810,"bytes":2350920,"errors":{"connect":3,"read":7,"write":1,"status":4,"timeout":2},"latency_us":{"p50":5465,"p99":14087,"p999":18095,"max":18691}}
`;

function record(target: string, round: number, rps: number, p99: number, read = 0): RunRecord {
  return {
    round,
    target,
    workload: "hello",
    workersSeen: 2,
    result: {
      generator: "wrk",
      durationSeconds: 5,
      requests: rps * 5,
      requestsPerSecond: rps,
      latency: { p50: p99 / 4, p99, p999: p99 * 2, max: p99 * 3 },
      errors: { connect: 0, read, write: 0, timeout: 0, status: 0 },
    },
  };
}

describe("bench report", () => {
  it("reads wrk's percentiles from the Lua line and its error lines from the text", () => {
    const result = parseWrkOutput(WRK_OUTPUT);
    assert.equal(result.requests, 17810);
    assert.equal(result.requestsPerSecond, 8905);
    assert.deepEqual(result.latency, { p50: 5.465, p99: 14.087, p999: 18.095, max: 18.691 });
    assert.deepEqual(result.errors, { connect: 3, read: 7, write: 1, timeout: 2, status: 4 });
    assert.throws(() => parseWrkOutput("Running 5s test"), /no BENCH_RESULT/);
  });

  it("counts no error when wrk prints no error line", () => {
    const clean = WRK_OUTPUT.split("\n")
      .filter((line) => !/Socket errors|Non-2xx/.test(line))
      .join("\n");
    assert.deepEqual(parseWrkOutput(clean).errors, { connect: 0, read: 0, write: 0, timeout: 0, status: 0 });
  });

  it("takes medians over rounds, sums errors, and divides by the baseline", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
    const rows = summarize(
      [
        record("base", 1, 1000, 10),
        record("other", 1, 1500, 5, 2),
        record("base", 2, 1200, 12),
        record("other", 2, 1700, 7, 3),
        { round: 3, target: "other", workload: "hello", workersSeen: 0, failure: "boom" },
      ],
      ["hello"],
      ["base", "other"],
      "base",
    );
    const [base, other] = rows;
    assert.equal(base?.requestsPerSecond, 1100);
    assert.equal(base?.throughputRatio, 1);
    assert.equal(other?.requestsPerSecond, 1600);
    assert.equal(other?.throughputRatio, 1600 / 1100);
    assert.equal(other?.p99Ratio, 6 / 11);
    assert.equal(other?.errors.read, 5);
    assert.equal(other?.failedRounds, 1);
    assert.equal(other?.rounds, 2);
  });

  it("formats errors with their classes", () => {
    assert.equal(formatErrors({ connect: 0, read: 0, write: 0, timeout: 0, status: 0 }), "0");
    assert.equal(
      formatErrors({ connect: 0, read: 10, write: 0, timeout: 2, status: 1 }),
      "13 (read 10, timeout 2, non-2xx 1)",
    );
  });

  it("replaces only the text between the result markers", () => {
    const doc = "# Title\n<!-- bench:results:start -->\nold\n<!-- bench:results:end -->\n## After\n";
    assert.equal(
      replaceBetween(doc, "new table"),
      "# Title\n<!-- bench:results:start -->\nnew table\n<!-- bench:results:end -->\n## After\n",
    );
    assert.throws(() => replaceBetween("# no markers", "x"), /markers/);
  });

  it("pads table columns the way the formatter does", () => {
    const table = markdownTable(
      ["target", "req/s"],
      [
        ["node:cluster", "1.00×"],
        ["pm2", "12"],
      ],
      ["left", "right"],
    );
    assert.equal(
      table,
      [
        "| target       | req/s |",
        "| ------------ | ----: |",
        "| node:cluster | 1.00× |",
        "| pm2          |    12 |",
      ].join("\n"),
    );
  });

  it("figure benches: rows are medians over the rounds, a goal the median of each round's own ratio", () => {
    // drover's ratio to the peer is 0.5, 1.5 and 1.2 in rounds 1 to 3: the median is 1.2, not the mean.
    const values = { drover: [10, 30, 12], peer: [20, 20, 10] };
    const samples = (figure: string, skip?: number) =>
      Object.entries(values).flatMap(([target, each]) =>
        each.flatMap((value, index) =>
          index === skip && target === "peer"
            ? []
            : [
                {
                  figure,
                  target,
                  round: index + 1,
                  p50: value,
                  p99: 2 * value,
                  callsPerSecond: value,
                  cpu: value,
                },
              ],
        ),
      );
    const figure = (id: string, measure: Measure) => ({
      id,
      targets: ["drover", "peer"],
      measure,
      goals: [
        { against: "peer", ratio: 1 },
        { against: "absent", ratio: 1 },
      ],
    });
    const latency = figure("latency", "p50");
    const [drover] = figureRows(latency, samples("latency"), (of) => ({ cpu: of((s) => s.cpu) }));
    assert.deepEqual(drover, {
      target: "drover",
      p50: 12,
      p99: 24,
      callsPerSecond: 12,
      cpu: 12,
      rounds: [10, 30, 12],
    });
    const [ratio, absent] = figureGoals(latency, samples("latency"));
    assert.deepEqual(ratio, { against: "peer", ratio: 1, value: 1.2, met: false, perRound: [0.5, 1.5, 1.2] });
    assert.ok(Number.isNaN(absent?.value) && absent?.met === false, "a target never measured: NaN, not met");
    // The same ratio meets a goal of calls/s (higher is better); a round without the peer leaves it unmeasured.
    assert.equal(figureGoals(figure("rate", "callsPerSecond"), samples("rate"))[0]?.met, true);
    assert.ok(Number.isNaN(figureGoals(latency, samples("latency", 0))[0]?.value ?? 0));
    const lines = figureLines({
      figure: { title: "Latency", what: "one call at a time", measure: "p50" },
      rows: figureRows(latency, samples("latency"), () => ({})),
      columns: [["p99 µs", (row) => String(row.p99)]],
      measureName: "p50",
      unit: " µs",
      roundCell: String,
      goals: [ratio ?? assert.fail("no goal")],
      labelOf: (id) => id.toUpperCase(),
    });
    assert.deepEqual(lines.slice(0, 3), ["#### Latency", "", "One call at a time."]);
    assert.match(
      lines[4] ?? "",
      /^\| target \| p99 µs \| p50 µs of each round \|\n.*\n\| DROVER \| {5}24 \| 10, 30, 12 +\|/,
    );
    assert.equal(
      lines[6],
      "- DROVER: p50 **1.20×** PEER's (goal ≤ 1×: **missed**); each round: 0.50, 1.50, 1.20",
    );
  });
});
