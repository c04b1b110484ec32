// Most targets are one Node command run in its own process group: this turns such a command into a
// RunningTarget whose stop() kills the group and proves it gone.
import { spawnProcess } from "../../test/harness/process.ts";
import type { RunningTarget, StartSpec } from "./target.ts";

/** Runs `node script ...args` (this Node) in a new process group. */
export async function startNodeCommand(
  spec: StartSpec,
  script: URL,
  args: readonly string[],
  workers: number,
): Promise<RunningTarget> {
  const group = await spawnProcess(process.execPath, [script.pathname, ...args], { env: spec.env });
  let dead = false;
  group.child.once("exit", () => {
    dead = true;
  });
  return {
    workers,
    isDead: () => dead,
    output: group.output,
    stop: async () => {
      await group.stop(2_000);
    },
  };
}
