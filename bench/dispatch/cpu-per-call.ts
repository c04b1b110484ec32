// `node bench/dispatch/cpu-per-call.ts`: what one trivial call costs in CPU, process by process: the
// master (or the relay), its drones (or the relay's child) and the client (this process), for calls
// made one at a time and with 64 in flight. On a shared machine latency follows the neighbours; the
// CPU a call costs barely does, so this is the figure to profile against (see docs/benchmarks.md).
// Every target is started once, its workers warmed, and stopped in `finally`, its group proven gone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { groupMembers } from "../../src/util/process-alive.ts";
import { abortOnSignals, optionsOrExit } from "../cli.ts";
import { type CpuTime, cpuBetween, cpuTime } from "../process/cpu-time.ts";
import { median } from "../report/summary.ts";
import { type Caller, openCaller, waitForWorkers } from "./caller.ts";
import { IN_FLIGHT } from "./figures.ts";
import { addJob } from "./jobs.ts";
import { countedInFlight, sequential } from "./loop.ts";
import { dispatchTarget, type RunningTarget } from "./targets.ts";

const HELP = `Usage: node bench/dispatch/cpu-per-call.ts [options]

CPU microseconds per trivial call (add {a, b}) of each process: the master or relay, its drones or
child, and the client; sequential calls and ${IN_FLIGHT} in flight. Medians over the rounds.

  --calls N      calls per run (default 20000), after 2000 untimed per target
  --rounds N     rounds, each target in turn (default 3)
  --targets IDS  comma-separated (default drover,relay; also drover-concurrent, piscina, workerpool, echo)
  --workers N    drones, threads or worker processes (default 2)
  --help         this text

Profile with NODE_OPTIONS: the targets inherit it, e.g. NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/p"
(the master, drones and client each write a .cpuprofile when they exit).
`;

const positive = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
  return value;
};

const options = optionsOrExit((argv) => {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: "string", default: "20000" },
      rounds: { type: "string", default: "3" },
      targets: { type: "string", default: "drover,relay" },
      workers: { type: "string", default: "2" },
      help: { type: "boolean", default: false },
    },
  });
  return {
    calls: positive("--calls", values.calls),
    rounds: positive("--rounds", values.rounds),
    targets: values.targets.split(",").map((id) => dispatchTarget(id.trim())),
    workers: positive("--workers", values.workers),
    help: values.help,
  };
}, HELP);

/** CPU µs per call of the group's leader, of the rest of its group, and of this process. */
interface Cost {
  readonly leader: number;
  readonly others: number;
  readonly client: number;
}

async function costOf(pgid: number, calls: number, run: () => Promise<unknown>): Promise<Cost> {
  const read = (pids: Iterable<number>) =>
    new Map([...pids].map((pid): [number, CpuTime] => [pid, cpuTime(pid)]));
  const before = read(groupMembers(pgid));
  const clientBefore = cpuTime(process.pid);
  await run();
  const clientNs = cpuBetween(clientBefore, cpuTime(process.pid)).running;
  let leader = 0;
  let others = 0;
  for (const [pid, end] of read(before.keys())) {
    const ns = cpuBetween(before.get(pid) as CpuTime, end).running;
    if (pid === pgid) leader += ns;
    else others += ns;
  }
  const perCall = (ns: number) => ns / 1000 / calls;
  return { leader: perCall(leader), others: perCall(others), client: perCall(clientNs) };
}

const abort = abortOnSignals();
const parentDir = mkdtempSync(join(tmpdir(), "dispatch-cpu-"));
const running: { id: string; up: RunningTarget; caller: Caller; echoes: boolean }[] = [];
const costs = new Map<string, Cost[]>();
try {
  for (const target of options.targets) {
    const up = await target.start({ workers: options.workers, parentDir, env: {} });
    const caller = await openCaller(up.socket).catch(async (error: unknown) => {
      await up.stop();
      throw error;
    });
    running.push({ id: target.id, up, caller, echoes: target.echoes });
    if (!target.echoes) await waitForWorkers(caller.call, options.workers);
    await sequential(caller.call, addJob(target.echoes), 2000, 0, abort.signal);
  }
  for (let round = 1; round <= options.rounds; round++) {
    for (const { id, up, caller, echoes } of running) {
      const job = addJob(echoes);
      const runs = {
        sequential: () => sequential(caller.call, job, options.calls, 0, abort.signal),
        [`${IN_FLIGHT} in flight`]: () =>
          countedInFlight(caller.call, job, IN_FLIGHT, options.calls, abort.signal),
      };
      for (const [mode, run] of Object.entries(runs)) {
        const cost = await costOf(up.pid, options.calls, run);
        const key = `${id}\t${mode}`;
        costs.set(key, [...(costs.get(key) ?? []), cost]);
        console.error(`round ${round} ${id} ${mode}: ${format(cost)}`);
      }
    }
  }
} finally {
  for (const { up, caller } of running) {
    await caller.close();
    await up.stop();
  }
  rmSync(parentDir, { recursive: true, force: true });
}

function format({ leader, others, client }: Cost): string {
  return `master/relay ${leader.toFixed(1)}, drones/child ${others.toFixed(1)}, client ${client.toFixed(1)} µs/call`;
}

console.log(`\nCPU µs per call, median of ${options.rounds} round(s) of ${options.calls} calls`);
console.log("| target | calls | master or relay | drones or child | server total | client |");
console.log("| --- | --- | ---: | ---: | ---: | ---: |");
for (const [key, samples] of costs) {
  const [id, mode] = key.split("\t");
  const leader = median(samples.map((s) => s.leader));
  const others = median(samples.map((s) => s.others));
  const client = median(samples.map((s) => s.client));
  const total = median(samples.map((s) => s.leader + s.others));
  const cells = [leader, others, total, client].map((us) => us.toFixed(1));
  console.log(`| ${id} | ${mode} | ${cells.join(" | ")} |`);
}
