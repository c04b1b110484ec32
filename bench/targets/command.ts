// Most targets are one Node command run in its own process group: this turns such a command into a
// RunningTarget whose stop() kills the group.
import { spawnGroup } from "../process/group.ts";
import type { RunningTarget, StartSpec } from "./target.ts";

/** Runs `node script ...args` (this Node) in a new process group. */
export async function startNodeCommand(
  spec: StartSpec,
  script: URL,
  args: readonly string[],
  workers: number,
): Promise<RunningTarget> {
  const group = await spawnGroup(process.execPath, [script.pathname, ...args], { env: spec.env });
  let dead = false;
  void group.exited.then(() => {
    dead = true;
  });
  return { workers, isDead: () => dead, output: group.output, stop: () => group.stop() };
}
