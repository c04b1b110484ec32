// `npm run bench:dispatch` options (node:util parseArgs), their defaults, and the help text.
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";

export interface DispatchOptions {
  readonly rounds: number;
  /** Timed sequential calls per round-trip run. */
  readonly calls: number;
  /** Measured seconds per in-flight run. */
  readonly seconds: number;
  readonly workers: number;
  readonly write: boolean;
  readonly help: boolean;
}

export const HELP = `Usage: npm run bench:dispatch -- [options]

Compares drover's dispatch pool with piscina and workerpool behind a Unix socket, and with two
floors (a bare socket echo, a bare relay through a child process): a sequential round trip,
throughput with 64 calls in flight, and CPU-bound calls of 10 ms. Rounds alternate the targets
(A B A B); the tables give medians over the rounds, the goals the median of each round's ratio.

  --rounds N     rounds (default 4)
  --calls N      timed sequential calls per round-trip run, after 500 untimed (default 5000)
  --seconds S    measured seconds per in-flight run, after 0.5 s untimed (default 2)
  --workers N    drones, threads or worker processes of every pool (default: availableParallelism())
  --write        also rewrite the dispatch pool section of docs/benchmarks.md
  --help         this text
`;

/** Parses argv (without node and the script); throws a RangeError on a bad value. */
export function parseOptions(argv: readonly string[]): DispatchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      rounds: { type: "string", default: "4" },
      calls: { type: "string", default: "5000" },
      seconds: { type: "string", default: "2" },
      workers: { type: "string", default: String(availableParallelism()) },
      write: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  return {
    rounds: positiveInteger("--rounds", values.rounds),
    calls: positiveInteger("--calls", values.calls),
    seconds: positive("--seconds", values.seconds),
    workers: positiveInteger("--workers", values.workers),
    write: values.write,
    help: values.help,
  };
}

export function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a positive number, got "${text}"`);
  return value;
}

export function positiveInteger(name: string, text: string): number {
  const value = positive(name, text);
  if (!Number.isInteger(value)) throw new RangeError(`${name} must be a positive integer, got "${text}"`);
  return value;
}
