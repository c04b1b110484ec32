// `npm run bench:nats` options (node:util parseArgs), their defaults, and the help text.
import { parseArgs } from "node:util";
import { type RoundOptions, roundOptions, roundValues } from "../shared/options.ts";
import { type NatsFigure, natsFigures } from "./figures.ts";

export interface NatsBenchOptions extends RoundOptions {
  readonly figures: readonly NatsFigure[];
}

export const HELP = `Usage: npm run bench:nats -- [options]

Starts a nats-server of its own (Debian's nats-server, on 127.0.0.1 and a free port) and compares
drover's dispatch pool over NATS (a drover master with transport: { nats }, called through
connect({ nats })) with bare NATS responders subscribed directly: a sequential round trip against one
responder, a mixed load (5% CPU-bound calls of 10 ms, 2 and 4 closed-loop callers) over two drones
against two responders in a queue group, and throughput with 64 calls in flight. Rounds alternate the
targets (A B A B); the tables give medians over the rounds, the goals the median of each round's ratio.
With the defaults a run takes about 2-3 minutes on 2 cores.

  --figures a,b  figures to run (default all: ${natsFigures.map((figure) => figure.id).join(", ")})
  --rounds N     rounds after one untimed (default 4)
  --calls N      timed sequential calls per round-trip run, after a tenth as many untimed, at most 500 (default 5000)
  --seconds S    measured seconds per mixed or in-flight run, after a quarter as many uncounted, at most 0.5 (default 2)
  --write        also rewrite the NATS section of docs/benchmarks.md
  --help         this text
`;

/** Parses argv (without node and the script); throws a RangeError on a bad value. */
export function parseNatsOptions(argv: readonly string[]): NatsBenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: { figures: { type: "string" }, ...roundOptions },
  });
  return {
    figures: values.figures === undefined ? natsFigures : figuresOf(values.figures),
    ...roundValues(values),
  };
}

function figuresOf(list: string): NatsFigure[] {
  return list.split(",").map((id) => {
    const figure = natsFigures.find((known) => known.id === id.trim());
    if (!figure)
      throw new RangeError(`--figures: no figure "${id}": one of ${natsFigures.map((f) => f.id).join(", ")}`);
    return figure;
  });
}
