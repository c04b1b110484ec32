// `npm run bench:micro`: what one scoreboard update, and the slow lane's timing of a cheap request, cost
// next to an empty function call. Each case
// runs many times in alternation (A B C A B C ...) and the median of the rounds is reported, with the
// ratio to the empty call. With --write the table goes into docs/benchmarks.md.
import { readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { availableParallelism, cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SlowLane } from "../../src/child/slow-lane/slow-lane.ts";
import { Scoreboard, WorkerState } from "../../src/scoreboard/index.ts";
import { markdownTable } from "../report/markdown.ts";
import { MICRO_END, MICRO_START, replaceBetween } from "../report/markers.ts";

const { values } = parseArgs({
  options: {
    iterations: { type: "string", default: "2000000" },
    rounds: { type: "string", default: "7" },
    write: { type: "boolean", default: false },
  },
});
const iterations = Number(values.iterations);
const rounds = Number(values.rounds);
const docsFile = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));

const scoreboard = Scoreboard.create({
  name: `drover-bench-micro-${process.pid}`,
  serverLimit: 1,
  workerLimit: 1,
});
try {
  scoreboard.master.prepareSlot(0, 0, 1, Date.now());
  const worker = scoreboard.workerWriter(0, 0);
  const proc = scoreboard.processWriter(0);
  let sink = 0;
  // Not inlined away: it writes to a variable the end of the run reads.
  const empty = (n: number) => {
    sink += n;
  };
  // The slow lane around the same empty call: a cheap request is timed and passed on. With a slow route
  // known, every request also has its route worked out and looked up.
  const lane = (slowRoute: boolean) => {
    const made = new SlowLane((request) => {
      if (request.url !== "/slow") return empty(1);
      const end = performance.now() + 6;
      while (performance.now() < end);
    }, 5);
    const response = {} as ServerResponse;
    // Twice: a route's first slow request does not count.
    for (let time = 0; slowRoute && time < 2; time++)
      made.serve({ method: "GET", url: "/slow", socket: {} } as IncomingMessage, response);
    const request = { method: "GET", url: "/hello", socket: {} } as IncomingMessage;
    return () => made.serve(request, response);
  };
  const cheapRequest = lane(false);
  const cheapRequestBesideSlowRoute = lane(true);
  const cases: Array<[name: string, run: (i: number) => void]> = [
    ["empty function call", (i) => empty(i)],
    [
      "worker state change (one record update)",
      (i) => worker.setState(i & 1 ? WorkerState.Ready : WorkerState.Reading),
    ],
    ["request finished (counters, state, time)", (i) => worker.requestFinished(i & 7, i)],
    ["request started (state, request text, time)", (i) => worker.requestStarted("GET /hello", i)],
    ["connection counted (process record)", () => proc.countConnection()],
    ["slow lane: a cheap request passed on (empty call inside)", cheapRequest],
    ["slow lane: the same, with a slow route known", cheapRequestBesideSlowRoute],
  ];
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (const [name, run] of cases) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) run(i);
      const nsPerOp = Number(process.hrtime.bigint() - start) / iterations;
      // Round 0 only warms the JIT up.
      if (round > 0) samples.get(name)?.push(nsPerOp);
    }
  }
  const medians = cases.map(([name]) => [name, median(samples.get(name) ?? [])] as const);
  const baseline = medians[0]?.[1] ?? 1;
  const table = markdownTable(
    ["operation", "ns per call", "vs empty call"],
    medians.map(([name, ns]) => [name, ns.toFixed(1), `${(ns / baseline).toFixed(1)}×`]),
    ["left", "right", "right"],
  );
  const command = `npm run bench:micro -- --iterations ${iterations} --rounds ${rounds}${values.write ? " --write" : ""}`;
  const section = [
    `Command: \`${command}\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
      `${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}).`,
    "",
    table,
    "",
    `A request costs one "request started" and one "request finished" update, plus a state change or two ` +
      `when its connection opens and closes: about ${Math.round((medians[2]?.[1] ?? 0) + (medians[3]?.[1] ?? 0) + 2 * (medians[1]?.[1] ?? 0))} ns ` +
      "in all, with no system call (sink " +
      `${sink > 0 ? "checked" : "unused"}).`,
  ].join("\n");
  // Reading the sink keeps the empty call from being optimised away.
  if (sink < 0) console.log(sink);
  console.log(section);
  if (values.write) {
    writeFileSync(docsFile, replaceBetween(readFileSync(docsFile, "utf8"), section, MICRO_START, MICRO_END));
    console.log(`\nwrote ${docsFile}`);
  }
} finally {
  scoreboard.close();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
