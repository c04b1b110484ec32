// `drover start --single`: one child's work in this process, with no master, for debugging (Apache's
// ONE_PROCESS). The listeners and a one-slot scoreboard are made here; Ctrl-C drains and exits.
import { rmSync } from "node:fs";
import { runChild } from "../child/child.ts";
import type { ResolvedConfig } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import { MasterHooks } from "../master/generation-hooks.ts";
import { openListeners } from "../master/listeners.ts";
import { Scoreboard } from "../scoreboard/index.ts";
import { shmPath } from "../shm/index.ts";

export async function runSingle(config: ResolvedConfig, log: Logger): Promise<void> {
  const listeners = await openListeners(config.listen);
  const scoreboard = Scoreboard.create({
    path: shmPath(`drover-single-${process.pid}.scoreboard`),
    serverLimit: 1,
    workerLimit: config.workersPerChild,
  });
  // The modules' master phases run here too: their shared memory and locks are made as under a master.
  const modules = new MasterHooks(log, { runId: `single-${process.pid}` });
  // The child's exit ends the process (and closes the descriptors); the files must go with it.
  process.once("exit", () => {
    scoreboard.close();
    modules.close();
    for (const { listener } of listeners)
      if (listener.kind === "unix") rmSync(listener.path, { force: true });
  });
  scoreboard.master.prepareSlot(0, 0, config.workersPerChild, Date.now());
  const hooks = await modules.prepare(config, 0, "first");
  modules.commit(hooks);
  await runChild(
    {
      slot: 0,
      generation: 0,
      restart: "first",
      scoreboard: scoreboard.path,
      app: config.app,
      workersPerChild: config.workersPerChild,
      maxConnections: 0,
      heartbeatIntervalMs: 1_000,
      extendedStatus: config.extendedStatus,
      slowRequestThresholdMs: config.slowRequestThreshold,
      slowLaneMaxWaitMs: config.slowLaneMaxWait,
      listeners: listeners.map((listener) => listener.address),
      modules: config.modules,
      resources: hooks.resources.specs(),
    },
    log,
    { fds: listeners.map((listener) => listener.fd), standalone: true },
  );
  console.log(`drover --single: ${config.app} is served on ${listeners.map((l) => l.address).join(", ")}`);
}
