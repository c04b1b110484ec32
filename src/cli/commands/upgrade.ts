// `drover upgrade`.
import type { Command } from "../command.ts";
import { runDirOf } from "../run-dir.ts";
import { upgradeCommand } from "../upgrade.ts";
import { timeoutOf, WAIT_FLAG } from "./stop.ts";

export const upgrade: Command = {
  name: "upgrade",
  args: "",
  maxArgs: 0,
  summary: "upgrade drover or Node without downtime: a new master takes the sockets over",
  description: [
    "The running master starts a new master from the installed code (drover and Node as they are on",
    "disk now) on its listening sockets; once the new one's children are ready, this one drains and",
    "exits. If the new master fails, this one serves on and the command exits 1 saying why. SIGURG to",
    "the master does the same.",
  ],
  flags: [WAIT_FLAG],
  run: async (invocation) =>
    upgradeCommand(
      await runDirOf(invocation.cwd, invocation.values),
      timeoutOf(invocation, "upgrade", '"2m", "5m"'),
    ),
};
