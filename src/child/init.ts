// A child's start-up, between claiming its slot and accepting: it drops its privileges, loads the app
// (building the server it serves with, behind the slow lane and the modules' request handlers), loads
// its modules and runs every childInit. It throws what went wrong; the child decides how to exit.

import type { Worker } from "node:worker_threads";
import type { ChildContext } from "../app/define.ts";
import { connect } from "../client/connect.ts";
import type { Logger } from "../log/logger.ts";
import type { HookLogger } from "../modules/context.ts";
import type { HookRegistry } from "../modules/index.ts";
import { importBuiltinModules, loadModules } from "../modules/load.ts";
import type { ModuleRequestHandlers } from "../modules/requests.ts";
import type { ChildResources } from "../modules/resources/child-resources.ts";
import { Scoreboard } from "../scoreboard/index.ts";
import type { ProcessRecordWriter } from "../scoreboard/writers.ts";
import type { WorkerSlots } from "./accept/worker-slots.ts";
import { withAccessLog } from "./access-log.ts";
import { answerFailure } from "./handler-failure.ts";
import { appModule, type LoadedApp, loadApp } from "./load-app.ts";
import { dropPrivileges } from "./privileges.ts";
import { slowLanes } from "./slow-lane/slow-lane.ts";
import type { ChildSpec } from "./spec.ts";
import { watchdogLoaded } from "./stack-watchdog/stack-watchdog.ts";

export interface InitParts {
  readonly log: Logger;
  readonly record: ProcessRecordWriter;
  readonly slots: WorkerSlots;
  readonly hooks: HookRegistry;
  /** What every hook of the child is told (its generation, slot, pid, logger). */
  readonly exitInput: {
    readonly generation: number;
    readonly restart: ChildSpec["restart"];
    readonly config: undefined;
    readonly log: HookLogger;
    readonly slot: number;
    readonly pid: number;
  };
  /** Aborted when the child begins to drain: the app's and the hooks' cue. */
  readonly drainSignal: AbortSignal;
  readonly resources: ChildResources;
  readonly requestHandlers: ModuleRequestHandlers;
  /** The stack watchdog thread, if the child runs one. */
  readonly watchdog: Worker | undefined;
}

export async function initialise(spec: ChildSpec, parts: InitParts): Promise<LoadedApp> {
  const { log, record } = parts;
  // drover's own files may be closed to the children's user: load what it still needs first.
  await importBuiltinModules(spec.modules);
  if (parts.watchdog && spec.uid !== undefined) await watchdogLoaded(parts.watchdog);
  // Before privileges go: the dispatch socket is the master's user's alone.
  const client =
    spec.dispatchSocket === undefined ? undefined : await connect({ socket: spec.dispatchSocket });
  dropPrivileges(spec.uid, spec.gid, spec.userName);
  const lane = slowLanes(
    spec.slowRequestThresholdMs,
    {
      slowRoute: (route, averageMs) =>
        log.debug(
          { route, averageMs: Math.round(averageMs) },
          "route holds the event loop: its requests take the slow lane",
        ),
      queued: (waiting) => record.slowLaneQueued(waiting),
      started: (waiting) => record.setSlowLaneWaiting(waiting),
      shed: (waiting) => record.slowLaneShed(waiting),
    },
    spec.slowLaneMaxWaitMs,
  );
  const app = await loadApp(spec.app, {
    // Off (or below the level it logs at), the server's accounting is the slots alone.
    accounting: spec.accessLog && log.isLevelEnabled("info") ? withAccessLog(parts.slots, log) : parts.slots,
    modules: parts.requestHandlers,
    lane,
    timeouts: spec.server,
    failed: (error, request, response) => answerFailure(log, error, request, response),
    listeners: spec.listeners,
    log,
  });
  for (const module of await loadModules(spec.modules)) parts.hooks.register(module);
  const context: ChildContext = {
    slot: spec.slot,
    pid: process.pid,
    generation: spec.generation,
    drainSignal: parts.drainSignal,
    client,
  };
  parts.hooks.register(appModule(app.definition, context));
  // Read through a mapping of its own, which outlives the writers' (see Scoreboard.detach).
  let reader: Scoreboard | undefined;
  await parts.hooks.run("childInit", {
    ...parts.exitInput,
    signal: parts.drainSignal,
    scoreboard: {
      snapshot: () => {
        reader ??= Scoreboard.fromFd(spec.scoreboardFd);
        return reader.snapshot();
      },
    },
    forModule: (module: string) => ({
      ...parts.resources.forModule(module),
      requests: parts.requestHandlers.forModule(module),
    }),
  });
  return app;
}
