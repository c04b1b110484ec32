// `drover start --single`: one child's work in this process, with no master, for debugging (Apache's
// ONE_PROCESS). The listeners and a one-slot scoreboard are made here; Ctrl-C drains and exits.
import { rmSync } from "node:fs";
import { runChild } from "../child/child.ts";
import type { ResolvedConfig } from "../config/types/resolved-config.ts";
import type { Logger } from "../log/logger.ts";
import { childSpec } from "../master/children/child-spec.ts";
import { ModuleHost } from "../master/generations/module-host.ts";
import { openListeners } from "../master/run/listeners.ts";
import { Scoreboard } from "../scoreboard/index.ts";

export async function runSingle(config: ResolvedConfig, log: Logger): Promise<void> {
  // This process is the child: the config's env is its own; its Node options were fixed at its start.
  Object.assign(process.env, config.env);
  if (config.nodeArgs.length > 0) {
    log.warn(
      { nodeArgs: config.nodeArgs },
      `--single runs the app in this process, whose Node options are set already: nodeArgs are not applied; give them to node (node ${config.nodeArgs.join(" ")} .../drover start --single)`,
    );
  }
  const listeners = await openListeners(config.listen);
  const scoreboard = Scoreboard.create({
    name: `drover-single-${process.pid}.scoreboard`,
    serverLimit: 1,
    workerLimit: config.workersPerChild,
  });
  // The modules' master phases run here too: their shared memory and locks are made as under a master.
  const modules = new ModuleHost(log, { runId: `single-${process.pid}` }, new AbortController().signal);
  // The child's exit ends the process (it closed the descriptors when it drained); the files must go
  // with it.
  process.once("exit", () => {
    scoreboard.close();
    modules.close();
    for (const { listener } of listeners) {
      if (listener.kind === "unix") rmSync(listener.path, { force: true });
    }
  });
  scoreboard.master.prepareSlot(0, 0, config.workersPerChild, Date.now());
  const prepared = await modules.prepare(config, 0, "first");
  modules.commit(prepared);
  const spec = childSpec(config, {
    slot: 0,
    generation: 0,
    restart: "first",
    listeners,
    resources: prepared.resources.specs(),
  });
  await runChild(
    {
      ...spec,
      scoreboardFd: scoreboard.fd,
      resourceFds: prepared.resources.descriptors(),
      hungChildStack: false,
    },
    log,
    {
      fds: listeners.map((listener) => listener.fd),
      standalone: true,
    },
  );
  console.log(`drover --single: ${config.app} is served on ${listeners.map((l) => l.address).join(", ")}`);
}
