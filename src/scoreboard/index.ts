export { LATENCY_BUCKETS_MS } from "../dispatch/counters.ts";
export {
  DEFAULT_SERVICE_LIMIT,
  MAX_SERVER_LIMIT,
  MAX_SERVICE_LIMIT,
  MAX_WORKER_LIMIT,
  type ScoreboardLimits,
  serverLimitThatFits,
} from "./layout.ts";
export type { HistogramFields, ServiceCounterFields, ServiceFields } from "./master-records.ts";
export { STALE_PEER_MS } from "./peers.ts";
export {
  isQuiescing,
  type ProcessRecord,
  type ProcessSnapshot,
  type ScoreboardSnapshot,
  type ServiceSnapshot,
  type WorkerSnapshot,
} from "./reader.ts";
export { type CreateScoreboardOptions, Scoreboard } from "./scoreboard.ts";
export { NATS_STATES, type NatsState } from "./service-records.ts";
export type { StackWords } from "./stack-words.ts";
export {
  isBusyWorkerState,
  PROCESS_STATE_NAMES,
  ProcessState,
  processStateName,
  WORKER_STATE_KEY,
  WORKER_STATE_LETTERS,
  WorkerState,
  workerStateLetter,
} from "./states.ts";
export type { ProcessRecordWriter, WorkerRecordWriter } from "./writers.ts";
