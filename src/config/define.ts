// defineConfig: the identity function that gives a config file its types, so that an editor completes
// field names and a typo fails to compile (`export default defineConfig({ ... })`).
import type { DroverConfig } from "./types/drover-config.ts";

/** Returns `config` unchanged; it exists for its type. Values are checked when drover loads the file. */
export function defineConfig(config: DroverConfig): DroverConfig {
  return config;
}
