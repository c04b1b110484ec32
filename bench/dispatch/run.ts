// `npm run bench:dispatch`: drover's dispatch pool against piscina and workerpool behind a Unix socket
// and a bare socket echo (targets.ts), on the figures of figures.ts. Every target is started once and
// warmed; then each round runs every figure against its targets in turn. Prints the section that
// --write puts into docs/benchmarks.md. Every process it starts carries a marker in its environment
// and is stopped in `finally`; at the end the bench proves none is left, nor any folder.
import { calibrateHeavy } from "../calibrate.ts";
import { optionsOrExit } from "../cli.ts";
import { alternateRounds } from "../shared/rounds.ts";
import { benchSession } from "../shared/session.ts";
import { type Caller, openCaller, waitForWorkers } from "./caller.ts";
import { figures, SPIN_MS } from "./figures.ts";
import { type MeasureSettings, measure } from "./measure.ts";
import { type DispatchOptions, HELP, parseOptions } from "./options.ts";
import { DISPATCH_END, DISPATCH_START, dispatchSection } from "./report.ts";
import type { Sample } from "./results.ts";
import { type DispatchTarget, dispatchTarget, type RunningTarget } from "./targets.ts";

const MARKER = "DROVER_BENCH_DISPATCH_RUN";

const options: DispatchOptions = optionsOrExit(parseOptions, HELP);

const session = benchSession({
  script: "bench:dispatch",
  file: "bench/dispatch/run.ts",
  marker: MARKER,
  tmpPrefix: "dispatch-bench-",
  nothingLeft: "no process and no file",
});
const spin = calibrateHeavy(SPIN_MS);
const settings: MeasureSettings = {
  calls: options.calls,
  seconds: options.seconds,
  spinIterations: spin.iterations,
  signal: session.signal,
};
const targets = [...new Set(figures.flatMap((figure) => figure.targets))].map(dispatchTarget);
console.error(
  `bench:dispatch: ${targets.length} targets, ${figures.length} figures x ${options.rounds} round(s), ` +
    `${options.workers} workers; CPU-bound call: ${spin.iterations} iterations = ${spin.measuredMs.toFixed(1)} ms; ` +
    `load average ${session.loadAtStart.map((l) => l.toFixed(2)).join(", ")}`,
);

const running = new Map<DispatchTarget, { target: RunningTarget; caller: Caller }>();
const samples = await session.run(
  async (parentDir) => {
    const env = { [MARKER]: session.runId };
    for (const target of targets) {
      const up = await target.start({ workers: options.workers, parentDir, env });
      const caller = await openCaller(up.socket).catch(async (error: unknown) => {
        await up.stop();
        throw error;
      });
      running.set(target, { target: up, caller });
      if (!target.echoes) await waitForWorkers(caller.call, options.workers);
      console.error(`started ${target.id} (pid ${up.pid})`);
    }
    const warm = { ...settings, calls: 1000, seconds: 0.5 };
    return alternateRounds(
      figures,
      options.rounds,
      (figure, id, round, warming) => {
        const target = dispatchTarget(id);
        const { caller, target: up } = running.get(target) as { caller: Caller; target: RunningTarget };
        return measure(figure, target, { call: caller.call, pgid: up.pid }, round, warming ? warm : settings);
      },
      describe,
    );
  },
  async () => {
    for (const { target, caller } of running.values()) {
      await caller.close();
      await target.stop();
    }
  },
);
if (samples) {
  const { rounds, calls, seconds, workers } = options;
  const section = dispatchSection({ ...session.facts(), rounds, calls, seconds, workers, spin }, samples);
  session.publish(section, options.write, DISPATCH_START, DISPATCH_END);
}

function describe(sample: Sample): string {
  const latency =
    `p50 ${sample.p50.toFixed(0)} µs, p99 ${sample.p99.toFixed(0)} µs, CPU µs/call ` +
    `${sample.cpu.serverUs.toFixed(1)} server, ${sample.cpu.clientUs.toFixed(1)} client`;
  return sample.callsPerSecond === undefined
    ? latency
    : `${Math.round(sample.callsPerSecond)} calls/s, ${latency}`;
}
