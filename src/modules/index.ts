export type {
  ChildInfo,
  ChildStatus,
  HookContext,
  HookFn,
  HookLogger,
  HookRunInput,
  PhaseExtras,
  RestartKind,
} from "./context.ts";
export {
  type DroverModule,
  defineModule,
  isDefinedModule,
  type ModuleDefinition,
  type ModuleHooks,
  type Order,
  type Position,
  type ResolvedOrder,
} from "./define.ts";
export { HookFailedError, ModuleInvalidError, ModuleOrderError } from "./errors.ts";
export { isPhase, PHASE_SITE, PHASES, type Phase, type PhaseSite } from "./phases.ts";
export { HookRegistry, type HookRegistryOptions } from "./registry.ts";
export { RetainedData, type RetainedStore } from "./retained.ts";
