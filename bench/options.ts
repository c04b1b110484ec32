// The bench's command line (node:util parseArgs), its defaults, and the help text.
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import type { GeneratorName } from "./load/generator.ts";
import { DEFAULT_BASELINE, targetById, targets } from "./targets/index.ts";
import type { Target } from "./targets/target.ts";
import { workloadById, workloads } from "./workloads/index.ts";
import type { Workload } from "./workloads/workload.ts";

export interface BenchOptions {
  readonly targets: readonly Target[];
  readonly workloads: readonly Workload[];
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly connections: number;
  readonly workers: number;
  readonly baseline: string;
  readonly load: "auto" | GeneratorName;
  readonly wrkThreads: number;
  readonly timeoutSeconds: number;
  readonly heavyMs: number;
  readonly write: boolean;
  readonly help: boolean;
}

export const HELP = `Usage: npm run bench -- [options]

Runs every target against every workload, alternating targets within each round, and prints one
table per workload: medians over the rounds and ratios to the baseline.

  --targets a,b,...     targets to run (default: all: ${targets.map((t) => t.id).join(", ")})
  --workloads a,b,...   workloads to run (default: all: ${workloads.map((w) => w.id).join(", ")})
  --duration S          measured seconds per run (default 5)
  --warmup S            un-measured seconds of load before each run (default 2)
  --rounds N            rounds; each runs every target once per workload (default 2)
  --connections N       concurrent connections (default 50)
  --workers N           processes of every multi-process target (default: availableParallelism())
  --baseline ID         target the ratios are relative to (default ${DEFAULT_BASELINE})
  --load auto|wrk|autocannon   HTTP load generator (default auto: wrk if on PATH)
  --threads N           wrk threads (default 1, so the servers keep most of the cores)
  --timeout S           per-request timeout in seconds, for every generator (default 2)
  --heavy-ms MS         CPU time of a heavy request in \`mixed\`, calibrated at start (default 20)
  --write               also rewrite the results section of docs/benchmarks.md
  --help                this text
`;

/** Parses argv (without node and the script) into options; throws on a bad value. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      targets: { type: "string" },
      workloads: { type: "string" },
      duration: { type: "string", default: "5" },
      warmup: { type: "string", default: "2" },
      rounds: { type: "string", default: "2" },
      connections: { type: "string", default: "50" },
      workers: { type: "string", default: String(availableParallelism()) },
      baseline: { type: "string", default: DEFAULT_BASELINE },
      load: { type: "string", default: "auto" },
      threads: { type: "string", default: "1" },
      timeout: { type: "string", default: "2" },
      "heavy-ms": { type: "string", default: "20" },
      write: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  const list = (value: string | undefined) =>
    value
      ?.split(",")
      .map((item) => item.trim())
      .filter(Boolean);
  const chosenTargets = list(values.targets)?.map(targetById) ?? targets;
  const baseline = values.baseline;
  if (!chosenTargets.some((target) => target.id === baseline)) {
    throw new RangeError(`--baseline must be one of the chosen targets, got "${baseline}"`);
  }
  const load = values.load;
  if (load !== "auto" && load !== "wrk" && load !== "autocannon") {
    throw new RangeError(`--load must be auto, wrk or autocannon, got "${load}"`);
  }
  return {
    targets: chosenTargets,
    workloads: list(values.workloads)?.map(workloadById) ?? workloads,
    durationSeconds: positiveInteger("--duration", values.duration),
    warmupSeconds: wholeSeconds("--warmup", values.warmup),
    rounds: positiveInteger("--rounds", values.rounds),
    connections: positiveInteger("--connections", values.connections),
    workers: positiveInteger("--workers", values.workers),
    baseline,
    load,
    wrkThreads: positiveInteger("--threads", values.threads),
    timeoutSeconds: positive("--timeout", values.timeout),
    heavyMs: positive("--heavy-ms", values["heavy-ms"]),
    write: values.write,
    help: values.help,
  };
}

function positive(name: string, text: string, zeroAllowed = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new RangeError(
      `${name} must be a ${zeroAllowed ? "non-negative" : "positive"} number, got "${text}"`,
    );
  }
  return value;
}

// wrk takes whole seconds only.
function wholeSeconds(name: string, text: string): number {
  const value = positive(name, text, true);
  if (!Number.isInteger(value))
    throw new RangeError(`${name} must be a whole number of seconds, got "${text}"`);
  return value;
}

function positiveInteger(name: string, text: string): number {
  const value = positive(name, text);
  if (!Number.isInteger(value)) throw new RangeError(`${name} must be a positive integer, got "${text}"`);
  return value;
}
