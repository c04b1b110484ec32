// `drover status`.
import { configuredHealth } from "../../status/health-probe.ts";
import { booleanFlag, type Command, stringFlag } from "../command.ts";
import { statusCommand } from "../remote.ts";
import { runDirOf } from "../run-dir.ts";

export const status: Command = {
  name: "status",
  args: "",
  maxArgs: 0,
  summary: "show the children and the scoreboard (read from shared memory)",
  description: [
    "Shows the master's children (pid, generation, state, requests, busy and idle workers, memory, CPU",
    "seconds, uptime, heartbeat), the pool's restarts and failures, the scoreboard grid, and each",
    "service with its drones. It reads the scoreboard from shared memory, so it answers even when the",
    "master is busy or stopped. `drover top` shows the same, live.",
  ],
  flags: [{ name: "json", type: "boolean", help: "as JSON" }],
  run: async ({ cwd, values }) =>
    statusCommand(
      await runDirOf(cwd, values),
      booleanFlag(values, "json"),
      await configuredHealth(cwd, stringFlag(values, "config")),
    ),
};
