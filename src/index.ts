// drover's public API. Everything not exported here is internal and may change without notice.
export { DroverError, ErrorCode, isDroverError } from "./errors.ts";
export { EXIT_CHILD_FATAL, EXIT_CHILD_SICK } from "./protocol/exit-codes.ts";
export {
  type ProcessSnapshot,
  ProcessState,
  Scoreboard,
  type ScoreboardSnapshot,
  WORKER_STATE_KEY,
  WORKER_STATE_LETTERS,
  type WorkerSnapshot,
  WorkerState,
} from "./scoreboard/index.ts";
