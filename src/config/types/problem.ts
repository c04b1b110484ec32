// What checking a config reports: each problem found, all at once (ConfigInvalidError lists them).

/** One thing wrong with a config: the field (e.g. `listen[1]`, or `--listen` for a flag) and why. */
export interface ConfigProblem {
  readonly field: string;
  /** What is wrong, then what to do: `must be a whole number, got "12" (string): write it without quotes`. */
  readonly reason: string;
}
