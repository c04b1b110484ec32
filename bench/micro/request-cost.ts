// `npm run bench:cost`: the CPU time a drover child spends per request with its defaults, with per-request
// scoreboard updates off (extendedStatus), and with the slow lane off, next to a bare Node server running
// the same handler. Throughput on a shared 2-core machine swings with the neighbours; CPU time per
// request, taken as the minimum over rounds run in ABBA order (each round reverses the one before, so a
// drift in the machine's load falls on every variant alike), is far steadier. Each serving process (a
// drover child, or the bare server) is started once; each run sends it a fixed number of keep-alive
// requests with `ab` and reads its CPU time (all its threads, see cpu-time.ts). `--variants
// default,bare` runs only those. With --write the table goes into docs/benchmarks.md.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { freePort } from "../../test/harness/ports.ts";
import { spawnNode } from "../../test/harness/process.ts";
import { cpuBetween, cpuTime } from "../process/cpu-time.ts";
import { markdownTable } from "../report/markdown.ts";
import { replaceBetween } from "../report/markers.ts";

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "100000" },
    rounds: { type: "string", default: "5" },
    variants: { type: "string" },
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

const chosen: readonly Variant[] = values.variants
  ? values.variants.split(",").map((id) => {
      const variant = VARIANTS.find((known) => known.id === id);
      if (!variant) throw new Error(`unknown variant ${id}: one of ${VARIANTS.map((v) => v.id).join(", ")}`);
      return variant;
    })
  : VARIANTS;

interface Sample {
  /** CPU µs the serving process spent per request. */
  readonly us: number;
  /** How long, in all, its threads waited for a core during the run (ms): the neighbours' doing. */
  readonly waitedMs: number;
}

/** A serving process, up and warmed: the drover child, or the bare server. */
interface Serving {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

async function start(variant: Variant): Promise<Serving> {
  const port = await freePort();
  if (!variant.settings) {
    const server = await spawnNode(BARE_SERVER, [], {
      env: { BENCH_APP: "hello", BENCH_PORT: String(port) },
      ready: { port },
    });
    return { pid: server.pid, port, stop: async () => void (await server.stop()) };
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
  const stop = async () => {
    await master.stop();
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    const status = await run(process.execPath, [CLI, "status", "--json", `--run-dir=${join(folder, "run")}`]);
    const child = (JSON.parse(status.stdout) as { children: Array<{ pid: number }> }).children[0]?.pid;
    if (!child) throw new Error("drover started no child");
    return { pid: child, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function ab(port: number, count: number): Promise<void> {
  const url = `http://127.0.0.1:${port}/`;
  const { stdout } = await run("ab", ["-k", "-q", "-n", String(count), "-c", "50", url]);
  const failed = Number(stdout.match(/Failed requests:\s+(\d+)/)?.[1] ?? "NaN");
  if (failed !== 0) throw new Error(`ab saw ${failed} failed requests`);
}

/** The CPU the serving process spends per request, over one `ab` run. */
async function measure({ pid, port }: Serving): Promise<Sample> {
  const before = cpuTime(pid);
  await ab(port, requests);
  const { running, waiting } = cpuBetween(before, cpuTime(pid));
  return { us: running / 1e3 / requests, waitedMs: waiting / 1e6 };
}

const loadBefore = loadavg()[0] ?? 0;
const samples = new Map<Variant, Sample[]>(chosen.map((variant) => [variant, []]));
// Every serving process is started (and warmed) once and stays up: the runs then alternate within
// seconds of each other, the neighbours' load alike for each.
const serving = new Map<Variant, Serving>();
try {
  for (const variant of chosen) {
    const process = await start(variant);
    serving.set(variant, process);
    await ab(process.port, Math.min(20_000, requests));
  }
  for (let round = 0; round < rounds; round++) {
    // ABBA: every other round runs the variants backwards, so none is always first or always last.
    const order = round % 2 === 0 ? chosen : [...chosen].reverse();
    for (const variant of order) {
      const sample = await measure(serving.get(variant) as Serving);
      samples.get(variant)?.push(sample);
      console.error(
        `round ${round + 1}: ${variant.id.padEnd(9)} ${sample.us.toFixed(2)} µs/request ` +
          `(waited ${sample.waitedMs.toFixed(0)} ms for a core, load ${(loadavg()[0] ?? 0).toFixed(2)})`,
      );
    }
  }
} finally {
  for (const process of serving.values()) await process.stop();
}
const loadAfter = loadavg()[0] ?? 0;
const runs = (id: string) => samples.get(chosen.find((variant) => variant.id === id) as Variant) ?? [];
const least = (id: string) => Math.min(...runs(id).map((sample) => sample.us));
const percent = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;
// Each round's own ratio, the median of them: runs next to each other share the machine's mood.
const medianRatio = (id: string, against: string) => {
  const ratios = runs(id)
    .map((sample, round) => sample.us / (runs(against)[round]?.us ?? Number.NaN))
    .sort((a, b) => a - b);
  const middle = ratios.length / 2;
  const median =
    ratios.length % 2 === 1
      ? (ratios[Math.floor(middle)] ?? Number.NaN)
      : ((ratios[middle - 1] ?? Number.NaN) + (ratios[middle] ?? Number.NaN)) / 2;
  return `${((median - 1) * 100).toFixed(1)}%`;
};
const ran = (id: string) => runs(id).length > 0;
const shares = [
  ran("no-status") && `per-request scoreboard updates ${percent(least("default"), least("no-status"))}`,
  ran("no-lane") && `the slow lane's timing ${percent(least("default"), least("no-lane"))}`,
  ran("bare") &&
    `a drover child against a bare server ${percent(least("default"), least("bare"))} ` +
      `(${(least("default") - least("bare")).toFixed(2)} µs; the median of each round's own ratio: ${medianRatio("default", "bare")})`,
].filter((share) => typeof share === "string");
const variantsFlag = values.variants ? ` --variants ${values.variants}` : "";
const command = `npm run bench:cost -- --requests ${requests} --rounds ${rounds}${variantsFlag}${values.write ? " --write" : ""}`;
const section = [
  `Command: \`${command}\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ` +
    `${availableParallelism()} cores, load average ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after. ` +
    `One serving process, \`ab -k -c 50\`, ${requests} requests a run; the minimum over ${rounds} rounds in ABBA order, each process started once and warmed with 20000 requests.`,
  "",
  markdownTable(
    ["serving process", "CPU µs per request", "all runs (µs)"],
    chosen.map((variant) => [
      variant.label,
      least(variant.id).toFixed(2),
      runs(variant.id)
        .map((sample) => sample.us.toFixed(1))
        .join(", "),
    ]),
    ["left", "right", "left"],
  ),
  "",
  `Of a request's CPU time here: ${shares.join("; ")}. ` +
    "A figure near or below zero means the cost is under this measurement's noise; the micro-benchmark " +
    "above gives the scoreboard updates' own cost.",
].join("\n");
console.log(section);
if (values.write) {
  writeFileSync(docsFile, replaceBetween(readFileSync(docsFile, "utf8"), section, START, END));
  console.log(`\nwrote ${docsFile}`);
}
