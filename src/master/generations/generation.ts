// What belongs to one generation of children: the config it was started with, its modules, its
// listeners, and whether any child of it has ever been ready.
import type { ResolvedConfig } from "../../config/types/resolved-config.ts";
import type { RestartKind } from "../../modules/context.ts";
import type { OpenListener } from "../run/listeners.ts";
import type { GenerationModules } from "./module-host.ts";

export class Generation {
  readonly number: number;
  /** How it began: the master's first start, a graceful restart (reload) or a hard one. */
  readonly kind: RestartKind;
  readonly config: ResolvedConfig;
  readonly listeners: readonly OpenListener[];
  readonly modules: GenerationModules;
  /** Config adjustments made when it was read, for the caller of the reload. */
  readonly warnings: readonly string[];
  /** A child of this generation has been ready: its children can initialise. */
  hadHealthyChild = false;

  constructor(fields: {
    number: number;
    kind: RestartKind;
    config: ResolvedConfig;
    listeners: readonly OpenListener[];
    modules: GenerationModules;
    warnings: readonly string[];
  }) {
    this.number = fields.number;
    this.kind = fields.kind;
    this.config = fields.config;
    this.listeners = fields.listeners;
    this.modules = fields.modules;
    this.warnings = fields.warnings;
  }
}

/** How a child's generation stands: the one serving, one still starting, or an older one. */
export type GenerationRole = "serving" | "starting" | "old";

/** What the pool needs to know about generations. */
export interface GenerationLookup {
  /** The generation serving now (undefined before the first start is done). */
  readonly serving: Generation | undefined;
  /**
   * The generation whose pool the master keeps whole (replacing crashed children, keeping spares):
   * the serving one, except while a hard restart stops its children.
   */
  readonly supervised: Generation | undefined;
  find(number: number): Generation | undefined;
  role(number: number): GenerationRole;
}
