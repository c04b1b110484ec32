// A drone's start-up, between claiming its slot and saying hello: it lowers its priority, drops its
// privileges, loads the config's modules and the service module, and runs every childInit (the
// modules', then the service's). It throws what went wrong; the drone reports it as fatal.
import type { Worker } from "node:worker_threads";
import { dropPrivileges } from "../child/privileges.ts";
import { watchdogLoaded } from "../child/stack-watchdog/stack-watchdog.ts";
import type { HookLogger } from "../modules/context.ts";
import type { HookRegistry } from "../modules/index.ts";
import { importBuiltinModules, loadModules } from "../modules/load.ts";
import { ModuleRequestHandlers } from "../modules/requests.ts";
import { ChildResources } from "../modules/resources/child-resources.ts";
import { Scoreboard } from "../scoreboard/index.ts";
import type { DroneContext, ServiceDefinition } from "../service/define.ts";
import { importService } from "../service/import-service.ts";
import { lowerPriority } from "./priority.ts";
import { serviceModule } from "./service-hooks.ts";
import type { DroneSpec } from "./spec.ts";

export interface DroneInitParts {
  readonly hooks: HookRegistry;
  /** What every hook of the drone is told (its generation, slot, pid, logger). */
  readonly hookInput: {
    readonly generation: number;
    readonly restart: DroneSpec["restart"];
    readonly config: undefined;
    readonly log: HookLogger;
    readonly slot: number;
    readonly pid: number;
  };
  /** What the service's own hooks are told. */
  readonly context: DroneContext;
  /** Aborted when the drone begins to stop: the hooks' cue to give up. */
  readonly stopSignal: AbortSignal;
  readonly watchdog: Worker | undefined;
}

export async function initialiseDrone(spec: DroneSpec, parts: DroneInitParts): Promise<ServiceDefinition> {
  // Niceness only goes up without privileges, so raise it while the drone may still do anything.
  if (spec.nice > 0) lowerPriority(spec.nice);
  // drover's own files may be closed to the drones' user: load what it still needs first.
  await importBuiltinModules(spec.modules);
  if (parts.watchdog && spec.uid !== undefined) await watchdogLoaded(parts.watchdog);
  dropPrivileges(spec.uid, spec.gid, spec.userName);
  for (const module of await loadModules(spec.modules)) parts.hooks.register(module);
  const service = await importService(spec.service, spec.module);
  parts.hooks.register(serviceModule(service, parts.context));
  // The generation's shared memory and locks, as a child has them; a drone serves no HTTP, so a
  // module's request handlers (use) find no request.
  const resources = new ChildResources(spec.resources, spec.resourceFds);
  const requests = new ModuleRequestHandlers(parts.hookInput.log);
  let reader: Scoreboard | undefined;
  await parts.hooks.run("childInit", {
    ...parts.hookInput,
    signal: parts.stopSignal,
    scoreboard: {
      snapshot: () => {
        reader ??= Scoreboard.fromFd(spec.scoreboardFd);
        return reader.snapshot();
      },
    },
    forModule: (module: string) => ({
      ...resources.forModule(module),
      requests: requests.forModule(module),
    }),
  });
  return service;
}
