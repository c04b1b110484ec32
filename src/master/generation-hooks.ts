// The master's side of the modules: for each generation, load the config's modules and run their
// master phases before any child of it exists; then childStatus on each child's start, exit or lost
// slot, and monitor once a maintenance pass. Module state that must outlive generations lives in the
// retained store, which this keeps for the master's whole life.
import type { ResolvedConfig } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import type { ChildStatus, RestartKind } from "../modules/context.ts";
import { HookRegistry, RetainedData } from "../modules/index.ts";
import { hookLogger, loadModules } from "../modules/load.ts";

export interface GenerationHooks {
  readonly registry: HookRegistry;
  readonly config: ResolvedConfig;
  readonly generation: number;
  readonly restart: RestartKind;
}

export class MasterHooks {
  readonly #retained = new RetainedData();
  readonly #log: Logger;
  #monitoring = false;

  constructor(log: Logger) {
    this.#log = log;
  }

  /**
   * Loads the config's modules and runs preConfig, checkConfig, openLogs and postConfig for a new
   * generation. Throws on a failing hook (naming the module and hook), having touched nothing running.
   */
  async prepare(config: ResolvedConfig, generation: number, restart: RestartKind): Promise<GenerationHooks> {
    const registry = new HookRegistry({ retained: this.#retained });
    for (const module of await loadModules(config.modules)) registry.register(module);
    const hooks = { registry, config, generation, restart };
    for (const phase of ["preConfig", "checkConfig", "openLogs", "postConfig"] as const) {
      await registry.run(phase, this.#input(hooks));
    }
    return hooks;
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
