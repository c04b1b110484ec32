// drover's configuration: the types a config file is written in, loading and checking it, and the
// command-line flags for its common fields.
export { type CheckOptions, type CheckResult, checkConfig } from "./check.ts";
export { DEFAULTS } from "./defaults.ts";
export { defineConfig } from "./define.ts";
export { MAX_DURATION_MS, parseDuration } from "./duration.ts";
export { ConfigInvalidError, ConfigLoadError } from "./errors.ts";
export { CONFIG_FIELDS } from "./field-names.ts";
export { CONFIG_FLAGS, type ConfigFlagValues, flagsToConfig, mergeFlags } from "./flags.ts";
export { ANY_HOST, formatListener, parseListen } from "./listen.ts";
export { CONFIG_FILE_NAMES, findConfigFile, type LoadedConfig, loadConfigFile } from "./load.ts";
export { jittered } from "./recycle.ts";
export { type ResolveOptions, type ResolveResult, resolveConfig } from "./resolve.ts";
export type { DroverConfig } from "./types/drover-config.ts";
export type { ConfigProblem } from "./types/problem.ts";
export type { Identity, Listener, ResolvedConfig } from "./types/resolved-config.ts";
export {
  type Duration,
  type DurationUnit,
  type ListenSpec,
  LOG_LEVELS,
  type LogLevel,
  type ModuleSpec,
} from "./types/values.ts";
