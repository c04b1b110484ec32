export type {
  ChildInfo,
  ChildStatus,
  HookContext,
  HookFn,
  HookLogger,
  HookRunInput,
  ModuleScopedExtras,
  PhaseExtras,
  RestartKind,
  ScoreboardReader,
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
export type { ModuleRequestHandler, RequestHandlerRegistration } from "./requests.ts";
export type { GlobalLock, LockOptions, LockResult } from "./resources/global-lock.ts";
export type {
  AttachOptions,
  CreatedMemory,
  ModuleMemory,
  ResourceAttachers,
  ResourceCreators,
} from "./resources/module-memory.ts";
export { RetainedData, type RetainedStore } from "./retained.ts";
