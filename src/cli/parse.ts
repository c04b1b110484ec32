// Reading the command line against the table of commands: which command, its flags and arguments, or a
// usage error naming every unknown flag at once, each with the flag it most likely meant (the config's
// own suggester) or the commands it belongs to. Flags may come before the command's name too.
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { suggestField } from "../config/suggest.ts";
import type { Command, Flag, FlagValues } from "./command.ts";
import { GLOBAL_FLAGS, MASTER_FLAGS } from "./flags.ts";

export type ParsedLine =
  | { readonly kind: "help"; readonly command: Command | undefined }
  | { readonly kind: "version" }
  | {
      readonly kind: "run";
      readonly command: Command;
      readonly values: FlagValues;
      readonly args: readonly string[];
    };

/** Bad usage: the message says what is wrong; `command` is the one whose usage to show, if known. */
export class UsageError extends Error {
  readonly command: Command | undefined;

  constructor(message: string, command?: Command) {
    super(message);
    this.command = command;
  }
}

/** Every flag `command` accepts: its own, --config and --run-dir (but for init), and the global ones. */
export function flagsOf(command: Command): Flag[] {
  const own = new Set(command.flags.map((flag) => flag.name));
  const shared = [...(command.withoutMasterFlags ? [] : MASTER_FLAGS), ...GLOBAL_FLAGS];
  return [...command.flags, ...shared.filter((flag) => !own.has(flag.name))];
}

export function parseCommandLine(argv: readonly string[], commands: readonly Command[]): ParsedLine {
  // First pass: every flag of every command, to find the command's name past any flag and its value.
  // A name two commands take with different kinds (a switch here, a value there) is left out: read
  // as a switch, it cannot take the command's name for its value.
  const every = new Map<string, Flag | undefined>();
  for (const flag of [...GLOBAL_FLAGS, ...commands.flatMap(flagsOf)]) {
    const seen = every.get(flag.name);
    if (!every.has(flag.name)) every.set(flag.name, flag);
    else if (seen !== undefined && (seen.type !== flag.type || !seen.multiple !== !flag.multiple))
      every.set(flag.name, undefined);
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options: optionsOf([...every.values()].filter((flag) => flag !== undefined)),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const options = tokens.filter((token) => token.kind === "option");
  const positionals = tokens.filter((token) => token.kind === "positional").map((token) => token.value);
  const [name, ...rest] = positionals;
  const asked = (flag: string) => options.some((token) => token.name === flag);

  if (name === "help") {
    const topic = rest[0];
    return { kind: "help", command: topic === undefined ? undefined : find(topic, commands) };
  }
  const command = name === undefined ? undefined : find(name, commands);
  if (asked("help")) return { kind: "help", command };
  if (asked("version")) return { kind: "version" };
  if (command === undefined) throw new UsageError("no command given: name one of those below");

  const accepted = flagsOf(command);
  const known = new Set(accepted.map((flag) => flag.name));
  const problems = options
    .filter((token) => !known.has(token.name))
    .map((token) => foreignFlag(token.rawName, token.name, command, commands, accepted));
  if (problems.length > 0) throw new UsageError([...new Set(problems)].join("\n"), command);

  // Second pass, strict: the values' kinds (a string flag without its value, a boolean given one).
  let values: FlagValues;
  let args: string[];
  try {
    let all: string[];
    ({ values, positionals: all } = parseArgs({
      args: [...argv],
      options: optionsOf(accepted),
      strict: true,
      allowPositionals: true,
    }));
    // The command's name is the first positional here too: the flags before it are the command's.
    args = all.slice(1);
  } catch (error) {
    throw new UsageError(`drover ${command.name}: ${(error as Error).message}`, command);
  }
  if (args.length > command.maxArgs) {
    const extra = args[command.maxArgs];
    const takes =
      command.maxArgs === 0 ? "takes no argument" : `takes at most ${command.maxArgs}: ${command.args}`;
    throw new UsageError(`drover ${command.name}: unexpected argument "${extra}" (it ${takes})`, command);
  }
  return { kind: "run", command, values, args };
}

function find(name: string, commands: readonly Command[]): Command {
  const command = commands.find((c) => c.name === name);
  if (command !== undefined) return command;
  const names = commands.map((c) => c.name);
  const near = suggestField(name, [...names, "help"]);
  throw new UsageError(`unknown command "${name}"${near === undefined ? "" : `: did you mean "${near}"?`}`);
}

// Why a flag the command does not take is refused: another command's, or unknown (and what was meant).
function foreignFlag(
  raw: string,
  name: string,
  command: Command,
  commands: readonly Command[],
  accepted: readonly Flag[],
): string {
  const prefix = `drover ${command.name}: `;
  const owners = (flag: string) =>
    commands.filter((c) => flagsOf(c).some((f) => f.name === flag && !f.hidden)).map((c) => c.name);
  const theirs = owners(name);
  if (theirs.length > 0) {
    return `${prefix}${raw} is not an option of ${command.name}, but of ${list(theirs)}: see drover ${command.name} --help`;
  }
  const visible = accepted.filter((flag) => !flag.hidden);
  if (!raw.startsWith("--")) {
    const short = visible.find((flag) => flag.short === name.toLowerCase())?.name;
    return `${prefix}unknown option ${raw}${short === undefined ? "" : `: did you mean --${short}?`}`;
  }
  const near = suggestField(
    name,
    visible.map((flag) => flag.name),
  );
  if (near !== undefined) return `${prefix}unknown option ${raw}: did you mean --${near}?`;
  // A misspelt flag of another command: say whose it is.
  const others = new Set(commands.flatMap((c) => c.flags.filter((f) => !f.hidden).map((f) => f.name)));
  const elsewhere = suggestField(name, [...others]);
  return elsewhere === undefined
    ? `${prefix}unknown option ${raw}`
    : `${prefix}unknown option ${raw} (--${elsewhere} is an option of ${list(owners(elsewhere))})`;
}

// "a", "a and b", "a, b and c".
function list(names: readonly string[]): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

function optionsOf(flags: readonly Flag[]): ParseArgsOptionsConfig {
  const options: ParseArgsOptionsConfig = {};
  for (const flag of flags) {
    options[flag.name] = {
      type: flag.type,
      ...(flag.short === undefined ? {} : { short: flag.short }),
      ...(flag.multiple ? { multiple: true } : {}),
    };
  }
  return options;
}
