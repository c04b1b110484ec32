// `npm run bench:dispatch`: drover's dispatch pool against piscina and workerpool behind a Unix socket
// and a bare socket echo (targets.ts), on the figures of figures.ts. Every target is started once and
// warmed; then each round runs every figure against its targets in turn. Prints the section that
// --write puts into docs/benchmarks.md. Every process it starts carries a marker in its environment
// and is stopped in `finally`; at the end the bench proves none is left, nor any folder.

import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { markedProcesses, sweep } from "../../scripts/leftovers.ts";
import { calibrateHeavy } from "../calibrate.ts";
import { abortOnSignals, optionsOrExit } from "../cli.ts";
import { replaceBetween } from "../report/markers.ts";
import { type Caller, openCaller, waitForWorkers } from "./caller.ts";
import { figures, SPIN_MS } from "./figures.ts";
import { type MeasureSettings, measure } from "./measure.ts";
import { type DispatchOptions, HELP, parseOptions } from "./options.ts";
import { DISPATCH_END, DISPATCH_START, dispatchSection } from "./report.ts";
import type { Sample } from "./results.ts";
import { type DispatchTarget, dispatchTarget, type RunningTarget } from "./targets.ts";

const MARKER = "DROVER_BENCH_DISPATCH_RUN";
const docsFile = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));

const options: DispatchOptions = optionsOrExit(parseOptions, HELP);

const runId = randomUUID();
const abort = abortOnSignals();
const started = new Date();
const loadAtStart = loadavg();
const spin = calibrateHeavy(SPIN_MS);
const settings: MeasureSettings = {
  calls: options.calls,
  seconds: options.seconds,
  spinIterations: spin.iterations,
  signal: abort.signal,
};
const targets = [...new Set(figures.flatMap((figure) => figure.targets))].map(dispatchTarget);
console.error(
  `bench:dispatch: ${targets.length} targets, ${figures.length} figures x ${options.rounds} round(s), ` +
    `${options.workers} workers; CPU-bound call: ${spin.iterations} iterations = ${spin.measuredMs.toFixed(1)} ms; ` +
    `load average ${loadAtStart.map((l) => l.toFixed(2)).join(", ")}`,
);

// Not "drover-bench-": `npm run bench` removes the folders of that name that appear during its run.
const parentDir = mkdtempSync(join(tmpdir(), "dispatch-bench-"));
const running = new Map<DispatchTarget, { target: RunningTarget; caller: Caller }>();
const samples: Sample[] = [];
try {
  for (const target of targets) {
    const up = await target.start({ workers: options.workers, parentDir, env: { [MARKER]: runId } });
    const caller = await openCaller(up.socket).catch(async (error: unknown) => {
      await up.stop();
      throw error;
    });
    running.set(target, { target: up, caller });
    if (!target.echoes) await waitForWorkers(caller.call, options.workers);
    console.error(`started ${target.id} (pid ${up.pid})`);
  }
  // One untimed run of every figure first: JIT, pools and connections warm before the first round.
  for (let round = 0; round <= options.rounds; round++) {
    for (const figure of figures) {
      for (const id of figure.targets) {
        const target = dispatchTarget(id);
        const { caller, target: up } = running.get(target) as { caller: Caller; target: RunningTarget };
        const warming = round === 0;
        const sample = await measure(
          figure,
          target,
          { call: caller.call, pgid: up.pid },
          round,
          warming ? { ...settings, calls: 1000, seconds: 0.5 } : settings,
        );
        if (warming) continue;
        samples.push(sample);
        console.error(`round ${round} ${figure.id} ${target.id}: ${describe(sample)}`);
      }
    }
    if (round === 0) console.error("warmed up");
  }
} catch (error) {
  if (!abort.signal.aborted) throw error;
  console.error("bench:dispatch interrupted: no results written");
  process.exitCode = 130;
} finally {
  for (const { target, caller } of running.values()) {
    await caller.close();
    await target.stop();
  }
  checkLeftovers();
}
if (!abort.signal.aborted) report();

function report(): void {
  const section = dispatchSection(
    {
      command: commandLine(),
      date: started.toISOString(),
      nodeVersion: process.version,
      cores: availableParallelism(),
      cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU",
      loadAtStart,
      loadAtEnd: loadavg(),
      rounds: options.rounds,
      calls: options.calls,
      seconds: options.seconds,
      workers: options.workers,
      spin,
    },
    samples,
  );
  console.log(`\n${section}`);
  if (options.write) {
    writeFileSync(
      docsFile,
      replaceBetween(readFileSync(docsFile, "utf8"), section, DISPATCH_START, DISPATCH_END),
    );
    console.log(`\nupdated ${docsFile}`);
  }
}

function describe(sample: Sample): string {
  const latency =
    `p50 ${sample.p50.toFixed(0)} µs, p99 ${sample.p99.toFixed(0)} µs, CPU µs/call ` +
    `${sample.cpu.serverUs.toFixed(1)} server, ${sample.cpu.clientUs.toFixed(1)} client`;
  return sample.callsPerSecond === undefined
    ? latency
    : `${Math.round(sample.callsPerSecond)} calls/s, ${latency}`;
}

/** The command as a person would type it again. */
function commandLine(): string {
  const args = process.argv.slice(2).join(" ");
  if (process.env.npm_lifecycle_event === "bench:dispatch") {
    return `npm run bench:dispatch${args ? ` -- ${args}` : ""}`;
  }
  return `node bench/dispatch/run.ts${args ? ` ${args}` : ""}`;
}

/** Fails the run (and cleans up) if a process or a file of this run outlived its `finally`. */
function checkLeftovers(): void {
  const processes = markedProcesses(MARKER, runId);
  // Someone else's sweep of the temp folder may have taken it: nothing of ours is left there then.
  const files = existsSync(parentDir) ? readdirSync(parentDir) : [];
  sweep(processes, []);
  rmSync(parentDir, { recursive: true, force: true });
  if (processes.length + files.length > 0) {
    console.error(
      `bench:dispatch left behind (now removed): processes ${processes.join(", ") || "none"}; ` +
        `files ${files.join(", ") || "none"}`,
    );
    process.exitCode = 1;
  } else {
    console.error("leftover check: no process and no file left behind");
  }
}
