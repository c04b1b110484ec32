// `drover top`.
import type { ReadStream, WriteStream } from "node:tty";
import { type Command, stringFlag } from "../command.ts";
import { UsageError } from "../parse.ts";
import { openScoreboardOf } from "../remote.ts";
import { runDirOf, timeoutFlag } from "../run-dir.ts";
import { runTop } from "../top/top.ts";

// Faster redraws cost CPU (a snapshot and a /proc read per process each time) for nothing one can read.
const MIN_INTERVAL_MS = 100;

export const top: Command = {
  name: "top",
  args: "",
  maxArgs: 0,
  summary: "a live view of the children, their workers and the services (q quits)",
  description: [
    "A live view, like htop: per child its pid, generation, state, requests per second, busy and idle",
    "workers, memory, CPU, heartbeat, uptime and slow lane; each service with its drones, backlog and",
    "calls per second; and the worker grid. It reads the scoreboard from shared memory, as status",
    "does, so it goes on while the master is busy or stopped. q or Ctrl-C ends it.",
  ],
  flags: [
    {
      name: "interval",
      type: "string",
      value: "T",
      help: 'time between redraws: "500ms", "2s", or seconds (default 1s)',
    },
  ],
  // Whatever a signal left mid-way, the terminal is back and nothing keeps the process up.
  exitsWhenDone: true,
  run: async ({ cwd, values }) => {
    const text = stringFlag(values, "interval");
    const intervalMs = text === undefined ? 1000 : timeoutFlag(text);
    if (!(intervalMs >= MIN_INTERVAL_MS)) {
      throw new UsageError(
        `drover top: --interval takes a duration of ${MIN_INTERVAL_MS}ms or more ("500ms", "2s"), got "${text}"`,
      );
    }
    if (!process.stdout.isTTY) {
      throw new UsageError(
        "drover top: its output is not a terminal: run it in one, or use drover status (--json) in scripts",
      );
    }
    const { pid, scoreboard } = openScoreboardOf(await runDirOf(cwd, values));
    try {
      return await runTop({
        scoreboard,
        masterPid: pid,
        intervalMs,
        out: process.stdout as WriteStream,
        input: process.stdin.isTTY ? (process.stdin as ReadStream) : undefined,
      });
    } finally {
      scoreboard.close();
    }
  },
};
