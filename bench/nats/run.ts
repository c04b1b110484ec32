// `npm run bench:nats`: drover's dispatch pool over NATS against bare NATS responders, on the figures
// of figures.ts (issue 11, "Speed"), all on one nats-server that the bench starts itself. Every
// target is started once and warmed; then each round runs every figure against its targets in turn.
// Prints the section that --write puts into docs/benchmarks.md. Every process it starts carries a
// marker in its environment and is stopped in `finally`; at the end the bench proves none is left
// (the nats-server included), nor any folder.
import { execFileSync } from "node:child_process";
import { NATS_SERVER, type RunningNats, startNats } from "../../test/support/nats-server.ts";
import { calibrateHeavy } from "../calibrate.ts";
import { optionsOrExit } from "../cli.ts";
import { alternateRounds } from "../shared/rounds.ts";
import { benchSession } from "../shared/session.ts";
import { type NatsFigure, SPIN_MS } from "./figures.ts";
import { measureNats } from "./measure.ts";
import { HELP, type NatsBenchOptions, parseNatsOptions } from "./options.ts";
import { NATS_END, NATS_START, natsSection } from "./report.ts";
import type { NatsSample } from "./results.ts";
import { natsTarget, type RunningNatsTarget, WORKERS } from "./targets.ts";
import { waitForDronesOnNats, waitForNatsWorkers } from "./warm.ts";

const MARKER = "DROVER_BENCH_NATS_RUN";

const options: NatsBenchOptions = optionsOrExit(parseNatsOptions, HELP);

const session = benchSession({
  script: "bench:nats",
  file: "bench/nats/run.ts",
  marker: MARKER,
  tmpPrefix: "nats-bench-",
  nothingLeft: "no process (nats-server included) and no file",
});
// Everything this process starts inherits it, the nats-server too: nothing can hide from the check.
process.env[MARKER] = session.runId;
const natsServerVersion = execFileSync(NATS_SERVER, ["--version"], { encoding: "utf8" }).trim();
const targetIds = [...new Set(options.figures.flatMap((figure) => figure.targets))];

const running = new Map<string, RunningNatsTarget>();
let nats: RunningNats | undefined;
const measured = await session.run(
  async (parentDir) => {
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
    const spin = calibrateHeavy(SPIN_MS);
    console.error(
      `bench:nats: ${natsServerVersion}; ${targetIds.length} targets, ${options.figures.length} figures x ${options.rounds} round(s); ` +
        `CPU-bound call: ${spin.iterations} iterations = ${spin.measuredMs.toFixed(1)} ms; ` +
        `load average ${session.loadAtStart.map((l) => l.toFixed(2)).join(", ")}`,
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
    const { calls, seconds } = options;
    const settings = { calls, seconds, spinIterations: spin.iterations, signal: session.signal };
    // The untimed round's runs are shorter, never longer, than the timed ones.
    const warm = { ...settings, calls: Math.min(1000, calls), seconds: Math.min(0.5, seconds) };
    const natsPid = nats.proc.pid;
    const target = (id: string) => running.get(id) as RunningNatsTarget;
    const measure = (figure: NatsFigure, id: string, round: number, warming: boolean) =>
      measureNats(figure, id, target(id), natsPid, round, warming ? warm : settings);
    const samples = await alternateRounds(options.figures, options.rounds, measure, describe);
    return { samples, spin };
  },
  async () => {
    for (const up of running.values()) await up.stop();
    // Its stop proves its pid gone; the marker check would name it too.
    await nats?.stop();
  },
);
if (measured) {
  const { rounds, calls, seconds } = options;
  const facts = { ...session.facts(), natsServerVersion, rounds, calls, seconds, spin: measured.spin };
  session.publish(natsSection(facts, measured.samples), options.write, NATS_START, NATS_END);
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
