// The environment a child or a drone starts with: drover's defaults, which an operator's own setting
// wins over (Node's compile cache, and what the caller adds), the master's environment, the config's
// env over it (as this generation read it), then what drover tells its children itself (DROVER_ names).
import { captureOutputEnv } from "../../child/output-capture.ts";
import type { ResolvedConfig } from "../../config/types/resolved-config.ts";
import { COMPILE_CACHE_ENV } from "./compile-cache.ts";

export function childEnvironment(
  config: Pick<ResolvedConfig, "env" | "logLevel" | "captureOutput">,
  defaults: Readonly<Record<string, string>> = {},
): NodeJS.ProcessEnv {
  return {
    ...COMPILE_CACHE_ENV,
    ...defaults,
    ...process.env,
    ...config.env,
    DROVER_LOG_LEVEL: config.logLevel,
    ...captureOutputEnv(config),
  };
}
