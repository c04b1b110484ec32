// The help texts, made from the table of commands: `drover --help` lists the commands a line each,
// `drover <command> --help` (or `drover help <command>`) shows one command's usage and every flag.
import type { Command, Flag } from "./command.ts";
import { GLOBAL_FLAGS, MASTER_FLAGS } from "./flags.ts";
import { flagsOf } from "./parse.ts";

const EXIT_CODES = [
  "Exit codes: 0 done; 1 the command failed (the message says why); 2 bad usage or config;",
  "3 no master is running in the run directory.",
];

/** `drover --help`: every command with a line each, and the options every command takes. */
export function globalHelp(commands: readonly Command[]): string {
  const rows = [
    ...commands.map((c) => [`${c.name}${c.args ? ` ${c.args}` : ""}`, c.summary] as const),
    ["help [command]", "this text, or a command's usage and options"] as const,
  ];
  return [
    "Usage: drover <command> [options]",
    "",
    "Commands:",
    ...table(rows),
    "",
    "Options for every command:",
    ...table(GLOBAL_FLAGS.map(flagRow)),
    "",
    "Options for every command but init (which master, which config):",
    ...table(MASTER_FLAGS.map(flagRow)),
    "",
    "drover <command> --help (or drover help <command>) shows a command's own options.",
    "",
    ...EXIT_CODES,
  ].join("\n");
}

/** `drover <command> --help`: its usage line, what it does, its flags, examples. */
export function commandHelp(command: Command): string {
  const visible = flagsOf(command).filter((flag) => !flag.hidden);
  return [
    usageLine(command),
    "",
    ...command.description,
    "",
    "Options:",
    ...table(visible.map(flagRow)),
    ...(command.examples && command.examples.length > 0
      ? ["", "Examples:", ...command.examples.map((line) => `  ${line}`)]
      : []),
    "",
    ...EXIT_CODES,
  ].join("\n");
}

/** "Usage: drover stop [options]": what a usage error ends with. */
export function usageLine(command: Command): string {
  return `Usage: drover ${command.name}${command.args ? ` ${command.args}` : ""} [options]`;
}

function flagRow(flag: Flag): readonly [string, string] {
  const short = flag.short === undefined ? "" : `-${flag.short}, `;
  return [`${short}--${flag.name}${flag.value === undefined ? "" : ` ${flag.value}`}`, flag.help];
}

// Two columns; a left cell too wide for its column puts its text on the next line.
function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = 20;
  const lines: string[] = [];
  for (const [left, right] of rows) {
    const [first = "", ...more] = right.split("\n");
    if (left.length < width - 1) lines.push(`  ${left.padEnd(width)}${first}`);
    else lines.push(`  ${left}`, `  ${"".padEnd(width)}${first}`);
    for (const line of more) lines.push(`  ${"".padEnd(width)}${line}`);
  }
  return lines;
}
