// The options both figure benches take (node:util parseArgs), with the same defaults and checks.

export const roundOptions = {
  rounds: { type: "string", default: "4" },
  calls: { type: "string", default: "5000" },
  seconds: { type: "string", default: "2" },
  write: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} as const;

export interface RoundOptions {
  readonly rounds: number;
  /** Timed sequential calls per round-trip run. */
  readonly calls: number;
  /** Measured seconds per run that counts completions. */
  readonly seconds: number;
  readonly write: boolean;
  readonly help: boolean;
}

/** The values parseArgs read for `roundOptions`, checked; throws a RangeError naming a bad one. */
export function roundValues(
  values: Record<"rounds" | "calls" | "seconds", string> & Record<"write" | "help", boolean>,
): RoundOptions {
  return {
    rounds: positiveInteger("--rounds", values.rounds),
    calls: positiveInteger("--calls", values.calls),
    seconds: positive("--seconds", values.seconds),
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
