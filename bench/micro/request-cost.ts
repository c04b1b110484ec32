// `npm run bench:cost`: the CPU time a drover child spends per request with per-request scoreboard
// updates on (extendedStatus) and off. Throughput on a shared 2-core machine swings with the
// neighbours; CPU time per request, taken as the minimum over alternating runs, is far steadier. Each
// run starts drover with one child, sends a fixed number of keep-alive requests with `ab`, and reads the
// child's user+system time from /proc. With --write the table goes into docs/benchmarks.md.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { freePort } from "../../test/harness/ports.ts";
import { spawnNode } from "../../test/harness/process.ts";
import { markdownTable } from "../report/markdown.ts";
import { replaceBetween } from "../report/markers.ts";

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "100000" },
    rounds: { type: "string", default: "5" },
    write: { type: "boolean", default: false },
  },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const APP = fileURLToPath(new URL("../apps/drover-app.ts", import.meta.url));
const docsFile = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));
const START = "<!-- bench:cost:start -->";
const END = "<!-- bench:cost:end -->";
const TICKS_PER_SECOND = 100;

/** Microseconds of CPU one drover child spends per request, over one `ab` run. */
async function measure(extendedStatus: boolean): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), "drover-bench-cost-"));
  const port = await freePort();
  const config = join(folder, "drover.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      app: APP,
      listen: [`127.0.0.1:${port}`],
      startServers: 1,
      workersPerChild: 256,
      minSpareWorkers: 1,
      maxSpareWorkers: 512,
      runDir: join(folder, "run"),
      logLevel: "warn",
      extendedStatus,
    }),
  );
  const master = await spawnNode(CLI, ["start", `--config=${config}`], {
    env: { BENCH_APP: "hello" },
    ready: /is served on/,
  });
  try {
    const status = await run(process.execPath, [CLI, "status", "--json", `--run-dir=${join(folder, "run")}`]);
    const child = (JSON.parse(status.stdout) as { children: Array<{ pid: number }> }).children[0]?.pid;
    if (!child) throw new Error("drover started no child");
    const ab = (n: number) =>
      run("ab", ["-k", "-q", "-n", String(n), "-c", "50", `http://127.0.0.1:${port}/`]);
    await ab(Math.min(20_000, requests));
    const before = cpuTicks(child);
    const { stdout } = await ab(requests);
    const failed = Number(stdout.match(/Failed requests:\s+(\d+)/)?.[1] ?? "NaN");
    if (failed !== 0) throw new Error(`ab saw ${failed} failed requests`);
    return ((cpuTicks(child) - before) / TICKS_PER_SECOND / requests) * 1e6;
  } finally {
    await master.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime, fields 14 and 15 of /proc/<pid>/stat (11 and 12 after the command name).
  return Number(fields[11]) + Number(fields[12]);
}

const samples = { on: [] as number[], off: [] as number[] };
for (let round = 1; round <= rounds; round++) {
  // A B, then B A: whatever the first run of a pair pays or gains falls on both settings alike.
  for (const extended of round % 2 === 1 ? [true, false] : [false, true]) {
    const us = await measure(extended);
    samples[extended ? "on" : "off"].push(us);
    console.error(`round ${round}: extendedStatus ${extended ? "on " : "off"} ${us.toFixed(2)} µs/request`);
  }
}
const on = Math.min(...samples.on);
const off = Math.min(...samples.off);
const command = `npm run bench:cost -- --requests ${requests} --rounds ${rounds}${values.write ? " --write" : ""}`;
const section = [
  `Command: \`${command}\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
    `${availableParallelism()} cores. One child, \`ab -k -c 50\`, ${requests} requests a run; the minimum over ${rounds} rounds, the order swapped every round.`,
  "",
  markdownTable(
    ["drover child", "CPU µs per request", "all runs (µs)"],
    [
      ["extendedStatus on (default)", on.toFixed(2), samples.on.map((v) => v.toFixed(1)).join(", ")],
      ["extendedStatus off", off.toFixed(2), samples.off.map((v) => v.toFixed(1)).join(", ")],
    ],
    ["left", "right", "left"],
  ),
  "",
  `Per-request scoreboard updates: ${(((on - off) / off) * 100).toFixed(1)}% of a request's CPU time here ` +
    "(a figure near or below zero means the cost is under this measurement's noise; the micro-benchmark above " +
    "gives the updates' own cost).",
].join("\n");
console.log(section);
if (values.write) {
  writeFileSync(docsFile, replaceBetween(readFileSync(docsFile, "utf8"), section, START, END));
  console.log(`\nwrote ${docsFile}`);
}
