// `npm run bench:cost`: the CPU time a drover child spends per request with its defaults, with per-request
// scoreboard updates off (extendedStatus), and with the slow lane off, next to a bare Node server running
// the same handler. Throughput
// on a shared 2-core machine swings with the neighbours; CPU time per request, taken as the minimum over
// runs whose order rotates every round, is far steadier. Each run starts one serving process (a drover
// child, or the bare server), sends a fixed number of keep-alive requests with `ab`, and reads that
// process's user+system time from /proc. With --write the table goes into docs/benchmarks.md.
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
const BARE_SERVER = fileURLToPath(new URL("../apps/server.ts", import.meta.url));
const docsFile = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));
const START = "<!-- bench:cost:start -->";
const END = "<!-- bench:cost:end -->";
const TICKS_PER_SECOND = 100;

interface Variant {
  readonly id: string;
  readonly label: string;
  /** Config fields on top of the defaults; none for the bare server. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

const VARIANTS = [
  { id: "default", label: "drover child, defaults", settings: {} },
  { id: "no-status", label: "drover child, extendedStatus off", settings: { extendedStatus: false } },
  { id: "no-lane", label: "drover child, slow lane off", settings: { slowRequestThreshold: 0 } },
  { id: "bare", label: "bare `node:http` server, same handler" },
] as const satisfies readonly Variant[];

/** Microseconds of CPU the serving process spends per request, over one `ab` run. */
async function measure(variant: Variant): Promise<number> {
  const port = await freePort();
  if (!variant.settings) {
    const server = await spawnNode(BARE_SERVER, [], {
      env: { BENCH_APP: "hello", BENCH_PORT: String(port) },
      ready: { port },
    });
    try {
      return await cpuPerRequest(server.pid, port);
    } finally {
      await server.stop();
    }
  }
  const folder = mkdtempSync(join(tmpdir(), "drover-bench-cost-"));
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
      ...variant.settings,
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
    return await cpuPerRequest(child, port);
  } finally {
    await master.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function cpuPerRequest(pid: number, port: number): Promise<number> {
  const ab = (n: number) => run("ab", ["-k", "-q", "-n", String(n), "-c", "50", `http://127.0.0.1:${port}/`]);
  await ab(Math.min(20_000, requests));
  const before = cpuTicks(pid);
  const { stdout } = await ab(requests);
  const failed = Number(stdout.match(/Failed requests:\s+(\d+)/)?.[1] ?? "NaN");
  if (failed !== 0) throw new Error(`ab saw ${failed} failed requests`);
  return ((cpuTicks(pid) - before) / TICKS_PER_SECOND / requests) * 1e6;
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime, fields 14 and 15 of /proc/<pid>/stat (11 and 12 after the command name).
  return Number(fields[11]) + Number(fields[12]);
}

const samples = new Map<Variant, number[]>(VARIANTS.map((variant) => [variant, []]));
for (let round = 0; round < rounds; round++) {
  // The order rotates every round: whatever the first run of a round pays or gains falls on each alike.
  for (let i = 0; i < VARIANTS.length; i++) {
    const variant = VARIANTS[(round + i) % VARIANTS.length] as Variant;
    const us = await measure(variant);
    samples.get(variant)?.push(us);
    console.error(`round ${round + 1}: ${variant.id.padEnd(9)} ${us.toFixed(2)} µs/request`);
  }
}
const least = (variant: Variant) => Math.min(...(samples.get(variant) ?? []));
const [defaults, noStatus, noLane, bare] = VARIANTS.map(least) as [number, number, number, number];
const percent = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;
const command = `npm run bench:cost -- --requests ${requests} --rounds ${rounds}${values.write ? " --write" : ""}`;
const section = [
  `Command: \`${command}\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
    `${availableParallelism()} cores. One serving process, \`ab -k -c 50\`, ${requests} requests a run; the minimum over ${rounds} rounds, the order rotated every round.`,
  "",
  markdownTable(
    ["serving process", "CPU µs per request", "all runs (µs)"],
    VARIANTS.map((variant) => [
      variant.label,
      least(variant).toFixed(2),
      (samples.get(variant) ?? []).map((v) => v.toFixed(1)).join(", "),
    ]),
    ["left", "right", "left"],
  ),
  "",
  `Of a request's CPU time here: per-request scoreboard updates ${percent(defaults, noStatus)}, the slow ` +
    `lane's timing ${percent(defaults, noLane)}; a drover child against a bare server ${percent(defaults, bare)}. ` +
    "A figure near or below zero means the cost is under this measurement's noise; the micro-benchmark " +
    "above gives the scoreboard updates' own cost.",
].join("\n");
console.log(section);
if (values.write) {
  writeFileSync(docsFile, replaceBetween(readFileSync(docsFile, "utf8"), section, START, END));
  console.log(`\nwrote ${docsFile}`);
}
