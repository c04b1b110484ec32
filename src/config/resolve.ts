// The whole path from files and flags to a checked configuration, as the master takes it at start-up
// and on every graceful restart.
import { resolve } from "node:path";
import { type CheckResult, checkConfig } from "./check.ts";
import { mergeFlags } from "./flags.ts";
import { findConfigFile, loadConfigFile } from "./load.ts";
import type { DroverConfig, ResolvedConfig } from "./types.ts";

export interface ResolveOptions {
  /** Where to look for a config file, and where relative paths start without one. Default process.cwd(). */
  cwd?: string;
  /** The config file (e.g. from --config), relative to cwd; without it, findConfigFile(cwd) is used. */
  file?: string;
  /** Fields from the command line (flagsToConfig), which override the file's. */
  flags?: DroverConfig;
  /** The configuration in force, on a restart. */
  previous?: ResolvedConfig;
}

export interface ResolveResult extends CheckResult {
  /** The config file read, or undefined if there was none. */
  readonly file: string | undefined;
}

/**
 * Finds and loads the config file, puts the flags over it and checks the result. Throws
 * DROVER_ERR_CONFIG_LOAD or DROVER_ERR_CONFIG_INVALID, having changed nothing.
 */
export async function resolveConfig(options: ResolveOptions = {}): Promise<ResolveResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = options.file === undefined ? findConfigFile(cwd) : resolve(cwd, options.file);
  const loaded = file === undefined ? { input: {}, baseDir: cwd } : await loadConfigFile(file);
  const input = mergeFlags(loaded.input, options.flags ?? {});
  const checked = checkConfig(input, { baseDir: loaded.baseDir, previous: options.previous });
  return { ...checked, file };
}
