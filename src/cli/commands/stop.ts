// `drover stop`, `drover reload` and `drover restart`: through the master's control socket.
import { booleanFlag, type Command, type Flag, type Invocation, stringFlag } from "../command.ts";
import { UsageError } from "../parse.ts";
import { controlCommand, stopCommand } from "../remote.ts";
import { runDirOf, timeoutFlag } from "../run-dir.ts";

export function timeoutOf(invocation: Invocation, command: string, example: string): number | undefined {
  const text = stringFlag(invocation.values, "timeout");
  if (text === undefined) return undefined;
  const ms = timeoutFlag(text);
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `drover ${command}: --timeout takes a duration (${example}) or a number of seconds, got "${text}"`,
    );
  }
  return ms;
}

export const stop: Command = {
  name: "stop",
  args: "",
  maxArgs: 0,
  summary: "stop the master: at once, or with --graceful once the requests in flight are done",
  description: [
    "Stops the master at once: children exit now (SIGKILL 3 s later if they have not). With --graceful",
    "the children finish their requests first (what SIGTERM does). A master that does not answer, or",
    "does not exit in time, is sent SIGQUIT, then SIGKILL.",
  ],
  flags: [
    { name: "graceful", type: "boolean", help: "let children finish their requests first" },
    {
      name: "timeout",
      type: "string",
      value: "T",
      help: 'how long a graceful stop may take: "30s", "1m", or seconds\n(default: gracefulShutdownTimeout)',
    },
  ],
  run: async (invocation) => {
    const timeoutMs = timeoutOf(invocation, "stop", '"30s", "1m"');
    return stopCommand(await runDirOf(invocation.cwd, invocation.values), {
      graceful: booleanFlag(invocation.values, "graceful"),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  },
};

export const WAIT_FLAG: Flag = {
  name: "timeout",
  type: "string",
  value: "T",
  help: 'wait at most T (the master carries on): "2m", or seconds',
};

const WAITS = [
  "It waits until the new generation serves (or fails), as long as the master's hookTimeout and",
  "childStartTimeout allow; the flags given to `drover start` stay in force.",
];

function control(name: "reload" | "restart", summary: string, what: string[]): Command {
  return {
    name,
    args: "",
    maxArgs: 0,
    summary,
    description: [...what, ...WAITS],
    flags: [WAIT_FLAG],
    run: async (invocation) => {
      const timeoutMs = timeoutOf(invocation, name, '"30s", "1m"');
      return controlCommand(await runDirOf(invocation.cwd, invocation.values), name, timeoutMs);
    },
  };
}

export const reload = control(
  "reload",
  "graceful restart: re-read the config, start a new generation, drain the old one",
  [
    "Graceful restart (SIGHUP): the config is read and checked, generation N+1 starts, and once its",
    "children are ready generation N stops accepting and drains. A bad config changes nothing.",
  ],
);

export const restart = control(
  "restart",
  "hard restart: re-read the config, kill every child, start a new generation",
  [
    "Hard restart (SIGUSR2): the config is read and checked, every child is stopped at once, and",
    "generation N+1 starts (if it cannot, generation N starts again).",
  ],
);
