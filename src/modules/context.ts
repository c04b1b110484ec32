// What a hook is told when it runs: the phase, the generation, why this generation started, the
// module's retained store, a logger, the config, and what its phase adds: the child's slot and pid,
// and the module's own shared memory, locks and request handlers where its phase can use them.
import type { ScoreboardSnapshot } from "../scoreboard/index.ts";
import type { Phase } from "./phases.ts";
import type { RequestHandlerRegistration } from "./requests.ts";
import type { ResourceAttachers, ResourceCreators } from "./resources/module-memory.ts";
import type { RetainedStore } from "./retained.ts";

/** Why the current generation started: the master's first start, a graceful restart or a hard one. */
export type RestartKind = "first" | "graceful" | "hard";

/** The logger hooks write to. The caller supplies it; the registry adds `module` to every entry's fields. */
export interface HookLogger {
  info(message: string, fields?: object): void;
  warn(message: string, fields?: object): void;
  error(message: string, fields?: object): void;
  debug(message: string, fields?: object): void;
}

/** The child a childInit, childExit or childStatus hook is about. */
export interface ChildInfo {
  /** The child's slot in the scoreboard. */
  readonly slot: number;
  readonly pid: number;
}

/** What happened to the child a childStatus hook is told about. */
export type ChildStatus = "started" | "exited" | "lost";

type NoExtras = Record<never, never>;

/** The live scoreboard, read consistently (what a status page or metrics exporter shows). */
export interface ScoreboardReader {
  snapshot(): ScoreboardSnapshot;
}

/** The fields each phase adds to its hooks' context, beyond those every hook gets. */
export interface PhaseExtras {
  preConfig: NoExtras;
  checkConfig: NoExtras;
  openLogs: NoExtras;
  postConfig: NoExtras;
  childInit: ChildInfo & { readonly scoreboard: ScoreboardReader };
  childExit: ChildInfo;
  childStatus: ChildInfo & { readonly status: ChildStatus };
  monitor: NoExtras;
}

/** The fields a phase adds that belong to each module: its own shared memory, locks and handlers. */
export interface ModuleScopedExtras {
  postConfig: ResourceCreators;
  childInit: ResourceAttachers & { readonly requests: RequestHandlerRegistration };
}

type ScopedExtras<P extends Phase> = P extends keyof ModuleScopedExtras ? ModuleScopedExtras[P] : NoExtras;

/** What the caller of HookRegistry.run gives for a phase: the same for every module's hook. */
export type HookRunInput<P extends Phase = Phase> = P extends Phase
  ? {
      /** The master's generation, counted from 0 at its first start. */
      readonly generation: number;
      readonly restart: RestartKind;
      readonly log: HookLogger;
      /** The resolved config of this generation. */
      readonly config: unknown;
      /** Aborted when the caller gives up on the hooks (the master stops, the child exits). */
      readonly signal?: AbortSignal;
    } & PhaseExtras[P] &
      (P extends keyof ModuleScopedExtras
        ? { readonly forModule: (module: string) => ModuleScopedExtras[P] }
        : NoExtras)
  : never;

/** What one hook is given: the run's input, plus its phase, its module's name and retained store. */
export type HookContext<P extends Phase = Phase> = P extends Phase
  ? Omit<HookRunInput<P>, "forModule"> &
      ScopedExtras<P> & {
        readonly phase: P;
        /** The name of the module whose hook this is. */
        readonly module: string;
        /** This module's own store, kept by the master across restarts (see RetainedData). */
        readonly retained: RetainedStore;
        /**
         * Aborted when the hook should give up: its deadline (hookTimeout, for the master's phases)
         * passed, or the master is stopping. Pass it to whatever the hook waits on.
         */
        readonly signal: AbortSignal;
      }
  : never;

/** A hook: sync or async. The registry awaits each before the next one starts. */
export type HookFn<P extends Phase = Phase> = (context: HookContext<P>) => void | Promise<void>;
