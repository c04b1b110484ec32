// The help text of the `drover` command, made from the table of commands (see help.ts).
import { COMMANDS } from "./commands/index.ts";
import { globalHelp } from "./help.ts";

export const USAGE = globalHelp(COMMANDS);
