#!/usr/bin/env node
// The `drover` command: the command line read against the table of commands (commands/index.ts), the
// help, and the exit code (exit-codes.ts).
import { isDroverError } from "../errors.ts";
import { readDroverVersion } from "../util/version.ts";
import type { Command } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { EXIT_OK, EXIT_USAGE, exitCodeOf } from "./exit-codes.ts";
import { commandHelp, usageLine } from "./help.ts";
import { parseCommandLine, UsageError } from "./parse.ts";
import { USAGE } from "./usage.ts";

let running: Command | undefined;

async function main(argv: readonly string[]): Promise<number> {
  const line = parseCommandLine(argv, COMMANDS);
  if (line.kind === "help") {
    console.log(line.command === undefined ? USAGE : commandHelp(line.command));
    return EXIT_OK;
  }
  if (line.kind === "version") {
    console.log(readDroverVersion() ?? "unknown");
    return EXIT_OK;
  }
  running = line.command;
  return line.command.run({ cwd: process.cwd(), values: line.values, args: line.args });
}

main(process.argv.slice(2)).then(
  (code) => {
    if (running?.exitsWhenDone) process.exit(code);
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      const command = error.command ?? running;
      const usage =
        command === undefined
          ? USAGE
          : `${usageLine(command)}\n(drover ${command.name} --help lists its options)`;
      const text = error.message.startsWith("drover ") ? error.message : `drover: ${error.message}`;
      console.error(`${text}\n\n${usage}`);
      process.exitCode = EXIT_USAGE;
    } else {
      console.error(
        `drover: ${isDroverError(error) ? `${error.message} [${error.code}]` : (error as Error).stack}`,
      );
      process.exitCode = exitCodeOf(error);
    }
    if (running?.exitsWhenDone) process.exit();
  },
);
