// drover's public API. Everything not exported here is internal and may change without notice.
export { type AppDefinition, type ChildContext, defineApp, type RequestHandler } from "./app/define.ts";
export { nameRoute } from "./child/slow-lane/route-name.ts";
export { defineConfig } from "./config/index.ts";
export type { DroverConfig } from "./config/types/drover-config.ts";
export type { ResolvedConfig } from "./config/types/resolved-config.ts";
export type { Duration, ListenSpec, LogLevel } from "./config/types/values.ts";
export { DroverError, ErrorCode, isDroverError } from "./errors.ts";
export { Master, type MasterOptions, type StopOptions } from "./master/master.ts";
export {
  type CreatedMemory,
  type DroverModule,
  defineModule,
  type GlobalLock,
  type HookContext,
  type LockOptions,
  type LockResult,
  type ModuleMemory,
  type ModuleRequestHandler,
  type Phase,
  type ScoreboardReader,
} from "./modules/index.ts";
export { EXIT_CHILD_FATAL, EXIT_CHILD_SICK } from "./protocol/exit-codes.ts";
export {
  type ProcessSnapshot,
  ProcessState,
  Scoreboard,
  type ScoreboardSnapshot,
  type ServiceSnapshot,
  WORKER_STATE_KEY,
  WORKER_STATE_LETTERS,
  type WorkerSnapshot,
  WorkerState,
} from "./scoreboard/index.ts";
export {
  type DroneContext,
  defineService,
  type MethodContext,
  type ServiceDefinition,
  type SessionContext,
  type SessionEndReason,
} from "./service/define.ts";
