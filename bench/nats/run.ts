// `npm run bench:nats`: drover's dispatch pool over NATS against bare NATS responders, on the figures
// of figures.ts (issue 11, "Speed"), all on one nats-server that the bench starts itself. Every
// target is started once and warmed; then each round runs every figure against its targets in turn.
// Prints the section that --write puts into docs/benchmarks.md. Every process it starts carries a
// marker in its environment and is stopped in `finally`; at the end the bench proves none is left
// (the nats-server included), nor any folder.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { markedProcesses, sweep } from "../../scripts/leftovers.ts";
import { NATS_SERVER, type RunningNats, startNats } from "../../test/support/nats-server.ts";
import { type Calibration, calibrateHeavy } from "../calibrate.ts";
import { abortOnSignals, optionsOrExit } from "../cli.ts";
import { replaceBetween } from "../report/markers.ts";
import { SPIN_MS } from "./figures.ts";
import { measureNats, type NatsMeasureSettings } from "./measure.ts";
import { HELP, type NatsBenchOptions, parseNatsOptions } from "./options.ts";
import { NATS_END, NATS_START, natsSection } from "./report.ts";
import type { NatsSample } from "./results.ts";
import { natsTarget, type RunningNatsTarget, WORKERS } from "./targets.ts";
import { waitForDronesOnNats, waitForNatsWorkers } from "./warm.ts";

const MARKER = "DROVER_BENCH_NATS_RUN";
const docsFile = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));

const options: NatsBenchOptions = optionsOrExit(parseNatsOptions, HELP);

const runId = randomUUID();
// Everything this process starts inherits it, the nats-server too: nothing can hide from the check.
process.env[MARKER] = runId;
const abort = abortOnSignals();
const started = new Date();
const loadAtStart = loadavg();
const natsServerVersion = execFileSync(NATS_SERVER, ["--version"], { encoding: "utf8" }).trim();
const targetIds = [...new Set(options.figures.flatMap((figure) => figure.targets))];

// Not "drover-bench-": `npm run bench` removes the folders of that name that appear during its run.
const parentDir = mkdtempSync(join(tmpdir(), "nats-bench-"));
const running = new Map<string, RunningNatsTarget>();
const samples: NatsSample[] = [];
let nats: RunningNats | undefined;
let spin: Calibration | undefined;
try {
  nats = await startNats();
  const servers = nats.url;
  console.error(`started nats-server on ${servers} (pid ${nats.proc.pid})`);
  // Together: a drover master takes a second or two to start its drones; the others start meanwhile,
  // and so does the calibration (CPU time, which the targets' start-up hardly changes).
  const starting = targetIds.map(async (id) => {
    const up = await natsTarget(id).start({ servers, parentDir, env: {} });
    running.set(id, up);
    return up;
  });
  spin = calibrateHeavy(SPIN_MS);
  console.error(
    `bench:nats: ${natsServerVersion}; ${targetIds.length} targets, ${options.figures.length} figures x ${options.rounds} round(s); ` +
      `CPU-bound call: ${spin.iterations} iterations = ${spin.measuredMs.toFixed(1)} ms; ` +
      `load average ${loadAtStart.map((l) => l.toFixed(2)).join(", ")}`,
  );
  const outcomes = await Promise.allSettled(starting);
  for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
  await Promise.all([
    ...[...running].map(async ([id, up]) => {
      await waitForNatsWorkers(up.caller.call, natsTarget(id).workers);
      console.error(`started ${id} (pid ${up.pid})`);
    }),
    waitForDronesOnNats(nats, targetIds.filter((id) => id.startsWith("drover")).length * WORKERS),
  ]);
  const settings: NatsMeasureSettings = {
    calls: options.calls,
    seconds: options.seconds,
    spinIterations: spin.iterations,
    signal: abort.signal,
  };
  // One untimed round first: JIT, pools and connections warm before the first round.
  for (let round = 0; round <= options.rounds; round++) {
    const warming = round === 0;
    const these = warming
      ? { ...settings, calls: Math.min(1000, settings.calls), seconds: Math.min(0.5, settings.seconds) }
      : settings;
    for (const figure of options.figures) {
      for (const id of figure.targets) {
        const sample = await measureNats(
          figure,
          id,
          running.get(id) as RunningNatsTarget,
          nats.proc.pid,
          round,
          these,
        );
        if (warming) continue;
        samples.push(sample);
        console.error(`round ${round} ${figure.id} ${id}: ${describe(sample)}`);
      }
    }
    if (warming) console.error("warmed up");
  }
} catch (error) {
  if (!abort.signal.aborted) throw error;
  console.error("bench:nats interrupted: no results written");
  process.exitCode = 130;
} finally {
  for (const up of running.values()) await up.stop();
  // Its stop proves its pid gone; the marker check below would name it too.
  await nats?.stop();
  checkLeftovers();
}
if (!abort.signal.aborted && spin) report(spin);

function report(spin: Calibration): void {
  const section = natsSection(
    {
      command: commandLine(),
      date: started.toISOString(),
      nodeVersion: process.version,
      natsServerVersion,
      cores: availableParallelism(),
      cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU",
      loadAtStart,
      loadAtEnd: loadavg(),
      rounds: options.rounds,
      calls: options.calls,
      seconds: options.seconds,
      spin,
    },
    samples,
  );
  console.log(`\n${section}`);
  if (options.write) {
    writeFileSync(docsFile, replaceBetween(readFileSync(docsFile, "utf8"), section, NATS_START, NATS_END));
    console.log(`\nupdated ${docsFile}`);
  }
}

function describe(sample: NatsSample): string {
  const cpu =
    `CPU µs/call ${sample.cpu.targetUs.toFixed(1)} target, ${sample.cpu.natsUs.toFixed(1)} nats-server, ` +
    `${sample.cpu.clientUs.toFixed(1)} client`;
  const latency = `p50 ${sample.p50.toFixed(0)} µs, p99 ${sample.p99.toFixed(0)} µs`;
  const heavy = sample.heavyP50 === undefined ? "" : `, heavy p50 ${sample.heavyP50.toFixed(0)} µs`;
  const rate = sample.callsPerSecond === undefined ? "" : `${Math.round(sample.callsPerSecond)} calls/s, `;
  return `${rate}${latency}${heavy}, ${cpu}`;
}

/** The command as a person would type it again. */
function commandLine(): string {
  const args = process.argv.slice(2).join(" ");
  if (process.env.npm_lifecycle_event === "bench:nats")
    return `npm run bench:nats${args ? ` -- ${args}` : ""}`;
  return `node bench/nats/run.ts${args ? ` ${args}` : ""}`;
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
      `bench:nats left behind (now removed): processes ${processes.join(", ") || "none"}; ` +
        `files ${files.join(", ") || "none"}`,
    );
    process.exitCode = 1;
  } else {
    console.error("leftover check: no process (nats-server included) and no file left behind");
  }
}
