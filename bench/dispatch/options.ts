// `npm run bench:dispatch` options (node:util parseArgs), their defaults, and the help text.
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { positiveInteger, type RoundOptions, roundOptions, roundValues } from "../shared/options.ts";

export interface DispatchOptions extends RoundOptions {
  readonly workers: number;
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
    options: { ...roundOptions, workers: { type: "string", default: String(availableParallelism()) } },
  });
  return { ...roundValues(values), workers: positiveInteger("--workers", values.workers) };
}
