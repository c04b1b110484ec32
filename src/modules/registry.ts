// The modules of one generation and their hooks. The master builds a registry from each generation's
// config and gives it the RetainedData it keeps for its whole life; a child builds its own to run its
// childInit and childExit hooks.

import { withDeadline } from "../util/deadline.ts";
import type { HookContext, HookFn, HookLogger, HookRunInput } from "./context.ts";
import { type DroverModule, defineModule, isDefinedModule, type ModuleDefinition } from "./define.ts";
import { HookFailedError, HookTimeout, ModuleInvalidError } from "./errors.ts";
import { sortHooks } from "./order.ts";
import type { Phase } from "./phases.ts";
import { RetainedData } from "./retained.ts";

export interface HookRegistryOptions {
  /** The retained stores to hand hooks; pass the master's across restarts. A new, empty one by default. */
  retained?: RetainedData;
  /**
   * How long one hook may take before it fails with DROVER_ERR_HOOK_TIMEOUT (its context's signal is
   * then aborted). No deadline by default.
   */
  timeoutMs?: number;
}

export class HookRegistry {
  /** The retained stores this registry's hooks see, one namespace per module. */
  readonly retained: RetainedData;
  readonly #modules = new Map<string, DroverModule>();
  readonly #timeoutMs: number | undefined;

  constructor(options: HookRegistryOptions = {}) {
    this.retained = options.retained ?? new RetainedData();
    this.#timeoutMs = options.timeoutMs;
  }

  /**
   * Adds a module: one from defineModule, or a definition, checked as defineModule does. Throws
   * DROVER_ERR_MODULE_INVALID if the definition is invalid or the name taken, DROVER_ERR_MODULE_ORDER
   * if its before/after constraints close a cycle with modules already registered; either way the
   * registry is left unchanged.
   */
  register(module: DroverModule | ModuleDefinition): this {
    const checked = isDefinedModule(module) ? module : defineModule(module);
    if (this.#modules.has(checked.name)) {
      throw new ModuleInvalidError(
        checked.name,
        "name",
        "is already registered: give each module a different name, and register it once.",
      );
    }
    this.#modules.set(checked.name, checked);
    try {
      // Any cycle goes through the new module, so only its phases need checking.
      for (const phase of Object.keys(checked.hooks) as Phase[]) this.order(phase);
    } catch (error) {
      this.#modules.delete(checked.name);
      throw error;
    }
    return this;
  }

  /** Whether a module of that name is registered. */
  has(name: string): boolean {
    return this.#modules.has(name);
  }

  /** The registered modules' names, in registration order. */
  names(): string[] {
    return [...this.#modules.keys()];
  }

  /** The names of the modules with a hook in `phase`, in the order their hooks run. */
  order(phase: Phase): string[] {
    const entries = [];
    for (const module of this.#modules.values()) {
      const order = module.order[phase];
      if (module.hooks[phase] !== undefined && order !== undefined) {
        entries.push({ name: module.name, order });
      }
    }
    return sortHooks(phase, entries);
  }

  /**
   * Runs every hook of `phase` in order, awaiting each. The first that throws or rejects stops the run:
   * the hooks after it do not run, and this rejects with DROVER_ERR_HOOK_FAILED naming its module.
   */
  async run<P extends Phase>(phase: P, input: HookRunInput<P>): Promise<void> {
    for (const name of this.order(phase)) {
      const failure = await this.#runHook(name, phase, input);
      if (failure !== undefined) throw failure;
    }
  }

  /**
   * Runs every hook of `phase` in order, awaiting each, even when some fail: for childExit, childStatus
   * and monitor, where one module's failure must not skip the others. Never rejects because of a hook;
   * resolves to the failures (DROVER_ERR_HOOK_FAILED each), in run order, empty when all succeeded.
   */
  async runCollectingFailures<P extends Phase>(phase: P, input: HookRunInput<P>): Promise<HookFailedError[]> {
    const failures: HookFailedError[] = [];
    for (const name of this.order(phase)) {
      const failure = await this.#runHook(name, phase, input);
      if (failure !== undefined) failures.push(failure);
    }
    return failures;
  }

  async #runHook<P extends Phase>(
    name: string,
    phase: P,
    input: HookRunInput<P>,
  ): Promise<HookFailedError | undefined> {
    const hook = this.#modules.get(name)?.hooks[phase] as HookFn<P> | undefined;
    if (hook === undefined) return undefined;
    // TypeScript cannot follow the conditional HookContext<P> through a generic P; the fields match.
    const {
      forModule,
      signal: outer,
      ...shared
    } = input as {
      forModule?: (module: string) => object;
      signal?: AbortSignal;
    };
    // Aborted when the caller gives up (the master stops) or this hook's deadline passes.
    const own = new AbortController();
    const signal = outer ? AbortSignal.any([outer, own.signal]) : own.signal;
    const context = Object.freeze({
      ...shared,
      ...forModule?.(name),
      phase,
      module: name,
      retained: this.retained.namespace(name),
      log: tagged(input.log, name),
      signal,
    }) as unknown as HookContext<P>;
    const work = Promise.resolve().then(() => hook(context));
    const timeoutMs = this.#timeoutMs;
    try {
      await (timeoutMs === undefined
        ? work
        : withDeadline(work, timeoutMs, () => new HookTimeout(timeoutMs), outer));
      return undefined;
    } catch (error) {
      own.abort(error);
      return new HookFailedError(name, phase, error);
    }
  }
}

// The caller's logger, with the module's name added to every entry's fields.
function tagged(log: HookLogger, module: string): HookLogger {
  return Object.freeze({
    info: (message: string, fields?: object) => log.info(message, { ...fields, module }),
    warn: (message: string, fields?: object) => log.warn(message, { ...fields, module }),
    error: (message: string, fields?: object) => log.error(message, { ...fields, module }),
    debug: (message: string, fields?: object) => log.debug(message, { ...fields, module }),
  });
}
