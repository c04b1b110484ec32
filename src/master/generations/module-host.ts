// The master's side of the modules: for each generation, load the config's modules and run their
// master phases before any child of it exists; then childStatus on each child's start, exit or lost
// slot, and monitor once a maintenance pass. Every hook runs under hookTimeout and gets an AbortSignal
// that fires at that deadline or when the master stops. Module state that must outlive generations
// lives in the retained store and in the shared memory and locks, which this keeps for the master's
// whole life.
import type { ResolvedConfig } from "../../config/types/resolved-config.ts";
import { DroverError, ErrorCode } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { ChildStatus, RestartKind } from "../../modules/context.ts";
import { HookRegistry, RetainedData } from "../../modules/index.ts";
import { hookLogger, loadModules } from "../../modules/load.ts";
import {
  type GenerationResources,
  MasterResources,
  type MasterResourcesOptions,
} from "../../modules/resources/master-resources.ts";
import { withDeadline } from "../../util/deadline.ts";

/** One generation's modules: their registry and what their postConfig hooks made. */
export interface GenerationModules {
  readonly registry: HookRegistry;
  readonly config: ResolvedConfig;
  readonly generation: number;
  readonly restart: RestartKind;
  /** The shared memory and locks its postConfig hooks made or found again. */
  readonly resources: GenerationResources;
}

export class ModuleHost {
  readonly #retained = new RetainedData();
  readonly #resources: MasterResources;
  readonly #log: Logger;
  readonly #signal: AbortSignal;
  #monitoring = false;

  /** `signal` is aborted when the master stops: every hook's own signal follows it. */
  constructor(log: Logger, resources: MasterResourcesOptions, signal: AbortSignal) {
    this.#log = log;
    this.#resources = new MasterResources(resources);
    this.#signal = signal;
  }

  /**
   * Loads the config's modules and runs preConfig, checkConfig, openLogs and postConfig for a new
   * generation. Throws on a failing or late hook (naming the module and hook), having touched nothing
   * running: what its postConfig hooks created first is removed again.
   */
  async prepare(
    config: ResolvedConfig,
    generation: number,
    restart: RestartKind,
  ): Promise<GenerationModules> {
    const modules = await withDeadline(
      loadModules(config.modules),
      config.hookTimeout,
      () =>
        new DroverError(
          ErrorCode.HOOK_TIMEOUT,
          `loading the modules did not finish within ${config.hookTimeout / 1000} s (hookTimeout): a module's top-level code waits on something; make it finish, or raise hookTimeout`,
        ),
      this.#signal,
    );
    const registry = new HookRegistry({ retained: this.#retained, timeoutMs: config.hookTimeout });
    for (const module of modules) registry.register(module);
    const resources = this.#resources.generation();
    const prepared = { registry, config, generation, restart, resources };
    try {
      for (const phase of ["preConfig", "checkConfig", "openLogs"] as const) {
        await registry.run(phase, this.#input(prepared));
      }
      await registry.run("postConfig", {
        ...this.#input(prepared),
        forModule: (module) => resources.forModule(module),
      });
    } catch (error) {
      this.#resources.rollback(resources);
      throw error;
    }
    return prepared;
  }

  /** The generation is in charge: resources no module of it created again are removed. */
  commit(modules: GenerationModules): void {
    this.#resources.commit(modules.resources);
  }

  /** The generation never took charge: the resources it created first are removed. */
  rollback(modules: GenerationModules): void {
    this.#resources.rollback(modules.resources);
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
    modules: GenerationModules,
    child: { slot: number; pid: number },
    status: ChildStatus,
  ): Promise<void> {
    this.#report(
      await modules.registry.runCollectingFailures("childStatus", {
        ...this.#input(modules),
        slot: child.slot,
        pid: child.pid,
        status,
      }),
    );
  }

  /** monitor for every module; while one pass is still running, the next is skipped. */
  async monitor(modules: GenerationModules): Promise<void> {
    if (this.#monitoring) return;
    this.#monitoring = true;
    try {
      this.#report(await modules.registry.runCollectingFailures("monitor", this.#input(modules)));
    } finally {
      this.#monitoring = false;
    }
  }

  #input(modules: GenerationModules) {
    return {
      generation: modules.generation,
      restart: modules.restart,
      config: modules.config,
      log: hookLogger(this.#log),
      signal: this.#signal,
    };
  }

  #report(failures: readonly Error[]): void {
    for (const failure of failures) this.#log.error({ err: failure }, failure.message);
  }
}
