// The master's side of the modules: for each generation, load the config's modules and run their
// master phases before any child of it exists; then childStatus on each child's start, exit or lost
// slot, and monitor once a maintenance pass. Module state that must outlive generations lives in the
// retained store and in the shared memory and locks, which this keeps for the master's whole life.
import type { ResolvedConfig } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import type { ChildStatus, RestartKind } from "../modules/context.ts";
import { HookRegistry, RetainedData } from "../modules/index.ts";
import { hookLogger, loadModules } from "../modules/load.ts";
import {
  type GenerationResources,
  MasterResources,
  type MasterResourcesOptions,
} from "../modules/resources/master-resources.ts";

export interface GenerationHooks {
  readonly registry: HookRegistry;
  readonly config: ResolvedConfig;
  readonly generation: number;
  readonly restart: RestartKind;
  /** The shared memory and locks its postConfig hooks made or found again. */
  readonly resources: GenerationResources;
}

export class MasterHooks {
  readonly #retained = new RetainedData();
  readonly #resources: MasterResources;
  readonly #log: Logger;
  #monitoring = false;

  constructor(log: Logger, resources: MasterResourcesOptions) {
    this.#log = log;
    this.#resources = new MasterResources(resources);
  }

  /**
   * Loads the config's modules and runs preConfig, checkConfig, openLogs and postConfig for a new
   * generation. Throws on a failing hook (naming the module and hook), having touched nothing running:
   * what its postConfig hooks created first is removed again.
   */
  async prepare(config: ResolvedConfig, generation: number, restart: RestartKind): Promise<GenerationHooks> {
    const registry = new HookRegistry({ retained: this.#retained });
    for (const module of await loadModules(config.modules)) registry.register(module);
    const resources = this.#resources.generation();
    const hooks = { registry, config, generation, restart, resources };
    try {
      for (const phase of ["preConfig", "checkConfig", "openLogs"] as const) {
        await registry.run(phase, this.#input(hooks));
      }
      await registry.run("postConfig", {
        ...this.#input(hooks),
        forModule: (module) => resources.forModule(module),
      });
    } catch (error) {
      this.#resources.rollback(resources);
      throw error;
    }
    return hooks;
  }

  /** The generation is in charge: resources no module of it created again are removed. */
  commit(hooks: GenerationHooks): void {
    this.#resources.commit(hooks.resources);
  }

  /** The generation never took charge: the resources it created first are removed. */
  rollback(hooks: GenerationHooks): void {
    this.#resources.rollback(hooks.resources);
  }

  /** A child exited: locks it held are marked abandoned, so that the next holder recovers them. */
  childExited(pid: number): void {
    for (const lock of this.#resources.abandonLocksOf(pid)) {
      this.#log.warn(
        { module: lock.module, lock: lock.name, childPid: pid },
        `child ${pid} exited holding module "${lock.module}"'s lock "${lock.name}": its next holder is told the data it protects may be inconsistent`,
      );
    }
  }

  /** Removes every module resource (the master stops). */
  close(): void {
    this.#resources.close();
  }

  /** childStatus for every module; a failing hook is logged, the others still run. */
  async childStatus(
    hooks: GenerationHooks,
    child: { slot: number; pid: number },
    status: ChildStatus,
  ): Promise<void> {
    this.#report(
      await hooks.registry.runCollectingFailures("childStatus", {
        ...this.#input(hooks),
        slot: child.slot,
        pid: child.pid,
        status,
      }),
    );
  }

  /** monitor for every module; while one pass is still running, the next is skipped. */
  async monitor(hooks: GenerationHooks): Promise<void> {
    if (this.#monitoring) return;
    this.#monitoring = true;
    try {
      this.#report(await hooks.registry.runCollectingFailures("monitor", this.#input(hooks)));
    } finally {
      this.#monitoring = false;
    }
  }

  #input(hooks: GenerationHooks) {
    return {
      generation: hooks.generation,
      restart: hooks.restart,
      config: hooks.config,
      log: hookLogger(this.#log),
    };
  }

  #report(failures: readonly Error[]): void {
    for (const failure of failures) this.#log.error({ err: failure }, failure.message);
  }
}
