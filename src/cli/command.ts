// What a `drover` command is: its name, its arguments and flags (each with its help), and what it does.
// The table of commands (commands/index.ts) is the one place the parser, the help and the dispatch read.

/** One flag of a command, as parseArgs takes it, with its help. */
export interface Flag {
  /** The long name, without the dashes. */
  readonly name: string;
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** What its value is, in the help: FILE, N, T. */
  readonly value?: string;
  /** What it does; "\n" breaks the line in the help. */
  readonly help: string;
  /** Accepted but left out of the help (for tests). */
  readonly hidden?: boolean;
}

/** Flag values as parseArgs returns them. */
export type FlagValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

export interface Invocation {
  readonly cwd: string;
  readonly values: FlagValues;
  /** The positional arguments after the command's name. */
  readonly args: readonly string[];
}

export interface Command {
  readonly name: string;
  /** Its positional arguments in the help ("[app]", "SERVICE METHOD [JSON]"); "" for none. */
  readonly args: string;
  /** How many positional arguments it takes at most. */
  readonly maxArgs: number;
  /** One line for `drover --help`. */
  readonly summary: string;
  /** What `drover <command> --help` says above the flags: lines of at most about 100 characters. */
  readonly description: readonly string[];
  /** Its own flags; --help and --version are added to every command, --config and --run-dir too. */
  readonly flags: readonly Flag[];
  /** Takes no --config or --run-dir: it has nothing to do with a config or a master (init). */
  readonly withoutMasterFlags?: boolean;
  /** Lines of examples for its help, if any. */
  readonly examples?: readonly string[];
  /**
   * Exits as soon as it is done, whatever is left running: for a command that imports the user's code
   * (its timers and sockets would keep the process up).
   */
  readonly exitsWhenDone?: boolean;
  /** Does it; resolves to the exit code. */
  run(invocation: Invocation): Promise<number>;
}

/** A string flag's value (the last one, when it was repeated). */
export function stringFlag(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  const last = Array.isArray(value) ? value.at(-1) : value;
  return typeof last === "string" ? last : undefined;
}

export function booleanFlag(values: FlagValues, name: string): boolean {
  return values[name] === true;
}
