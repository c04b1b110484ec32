// `drover call SERVICE METHOD [JSON]`.

import { resolve } from "node:path";
import { dispatchSocketPath } from "../../client/socket-path.ts";
import { callCommand } from "../call.ts";
import { type Command, stringFlag } from "../command.ts";
import { UsageError } from "../parse.ts";
import { runDirOf, timeoutFlag } from "../run-dir.ts";

export const call: Command = {
  name: "call",
  args: "SERVICE METHOD [JSON]",
  maxArgs: 3,
  summary: "call a method of a service and print its result as JSON",
  description: [
    "Calls a method of a service of the dispatch pool through the master's service socket and prints",
    "its result as JSON (binary data as base64). The params are one JSON argument.",
  ],
  flags: [
    {
      name: "timeout",
      type: "string",
      value: "T",
      help: "the call's budget: \"5s\", or seconds (default: the service's requestTimeout)",
    },
    // The service socket itself, for tests.
    { name: "socket", type: "string", value: "PATH", help: "the service socket", hidden: true },
  ],
  examples: [`drover call math add '{"a":1,"b":2}'`],
  run: async ({ cwd, values, args }) => {
    const text = stringFlag(values, "timeout");
    const timeoutMs = text === undefined ? undefined : timeoutFlag(text);
    if (Number.isNaN(timeoutMs) || timeoutMs === 0) {
      throw new UsageError(
        `drover call: --timeout takes a duration ("5s", "1m") or a number of seconds, more than 0, got "${text}"`,
      );
    }
    const socket = stringFlag(values, "socket") ?? dispatchSocketPath(await runDirOf(cwd, values));
    return callCommand(args, { socket: resolve(cwd, socket), timeoutMs });
  },
};
