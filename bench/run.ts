// `npm run bench`: benchmarks drover's peers side by side. Calibrates the heavy request, runs every
// target against every workload in alternating rounds, prints one table per workload, saves the raw
// runs under bench/results/, and with --write rewrites the results section of docs/benchmarks.md.
// Every process it starts carries a marker; at the end it proves none is left.

import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { markedProcesses, sweep } from "../scripts/leftovers.ts";
import { alternate } from "./alternate.ts";
import { calibrateHeavy } from "./calibrate.ts";
import { abortOnSignals, optionsOrExit } from "./cli.ts";
import { chooseGenerator, describeGenerator } from "./load/generator.ts";
import type { RunRecord } from "./measure.ts";
import { type BenchOptions, HELP, parseOptions } from "./options.ts";
import { replaceBetween } from "./report/markers.ts";
import { rawResultsPath, saveRawResults } from "./report/raw.ts";
import { resultsSection } from "./report/section.ts";
import { summarize } from "./report/summary.ts";
import { workloadTable } from "./report/table.ts";

const MARKER = "DROVER_BENCH_RUN";
const TEMP_PREFIX = "drover-bench-";
const docsFile = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));

const options: BenchOptions = optionsOrExit(parseOptions, HELP);

const runId = randomUUID();
const started = new Date();
const abort = abortOnSignals();

const tempBefore = new Set(benchTempDirs());
const loadAtStart = loadavg()[0] ?? 0;
if (loadAtStart > 0.5) {
  console.error(
    `bench: load average is ${loadAtStart.toFixed(2)} before starting; other work will skew the results`,
  );
}
const generator = chooseGenerator(options.load, options.wrkThreads);
const calibration = calibrateHeavy(options.heavyMs);
console.error(
  `bench: ${options.targets.length} target(s) x ${options.workloads.length} workload(s) x ${options.rounds} round(s), ` +
    `${options.durationSeconds} s each after ${options.warmupSeconds} s warm-up; load: ${describeGenerator(generator, options.wrkThreads)}; ` +
    `heavy request: ${calibration.iterations} iterations = ${calibration.measuredMs.toFixed(1)} ms`,
);

let records: RunRecord[] | undefined;
try {
  records = await alternate(options.targets, options.workloads, options.rounds, {
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    timeoutSeconds: options.timeoutSeconds,
    workers: options.workers,
    generator,
    calibration,
    env: { [MARKER]: runId },
    signal: abort.signal,
  });
} catch (error) {
  if (!abort.signal.aborted) throw error;
  console.error("bench interrupted: no results written");
  process.exitCode = 130;
} finally {
  checkLeftovers();
}
if (records) report(records);

/** Prints the tables, saves the raw runs, and with --write updates docs/benchmarks.md. */
function report(records: readonly RunRecord[]): void {
  const rows = summarize(
    records,
    options.workloads.map((w) => w.id),
    options.targets.map((t) => t.id),
    options.baseline,
  );
  const labels = new Map(options.targets.map((t) => [t.id, t.label]));
  for (const workload of options.workloads) {
    console.log(`\n${workload.id}: ${workload.label} (load: ${workload.generatorName(generator)})\n`);
    console.log(
      workloadTable(
        rows.filter((row) => row.workload === workload.id),
        labels,
        workload.mixed,
      ),
    );
  }

  const rawFile = rawResultsPath(started);
  const facts = {
    command: commandLine(),
    date: started.toISOString(),
    nodeVersion: process.version,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU",
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
    httpGenerator: describeGenerator(generator, options.wrkThreads),
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    connections: options.connections,
    rounds: options.rounds,
    workers: options.workers,
    timeoutSeconds: options.timeoutSeconds,
    baseline: options.baseline,
    calibration,
    rawFile,
  };
  saveRawResults(rawFile, { facts, rows, records });
  console.log(`\nraw results: ${rawFile}`);
  if (options.write) {
    const section = resultsSection(facts, rows, options.targets, options.workloads, (w) =>
      w.generatorName(generator),
    );
    writeFileSync(docsFile, replaceBetween(readFileSync(docsFile, "utf8"), section));
    console.log(`updated ${docsFile}`);
  }
  const failed = records.filter((record) => record.failure).length;
  if (failed > 0) {
    console.error(`${failed} run(s) failed; see the FAILED lines above`);
    process.exitCode = 1;
  }
}

/** The command as a person would type it again. */
function commandLine(): string {
  const args = process.argv.slice(2).join(" ");
  if (process.env.npm_lifecycle_event === "bench") return `npm run bench${args ? ` -- ${args}` : ""}`;
  return `node bench/run.ts${args ? ` ${args}` : ""}`;
}

function benchTempDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(TEMP_PREFIX));
}

/** Fails the run (and cleans up) if a process or temp dir of this run survived its `finally`. */
function checkLeftovers(): void {
  const processes = markedProcesses(MARKER, runId);
  const dirs = benchTempDirs().filter((name) => !tempBefore.has(name));
  sweep(processes, []);
  for (const dir of dirs) rmSync(join(tmpdir(), dir), { recursive: true, force: true });
  if (processes.length + dirs.length > 0) {
    console.error(
      `bench left behind (now removed): processes ${processes.join(", ") || "none"}; dirs ${dirs.join(", ") || "none"}`,
    );
    process.exitCode = 1;
  } else {
    console.error("leftover check: no process and no temp dir left behind");
  }
}
