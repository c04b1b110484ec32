// The whole path from files and flags to a checked configuration, as the master takes it at start-up
// and on every graceful restart.
import { resolve } from "node:path";
import { DroverError, ErrorCode } from "../errors.ts";
import { withDeadline } from "../util/deadline.ts";
import { type CheckResult, checkConfig } from "./check.ts";
import { DEFAULTS } from "./defaults.ts";
import { parseDuration } from "./duration.ts";
import { mergeFlags } from "./flags.ts";
import { findConfigFile, loadConfigFile } from "./load.ts";
import type { DroverConfig } from "./types/drover-config.ts";
import type { ResolvedConfig } from "./types/resolved-config.ts";

export interface ResolveOptions {
  /** Where to look for a config file, and where relative paths start without one. Default process.cwd(). */
  cwd?: string;
  /** The config file (e.g. from --config), relative to cwd; without it, findConfigFile(cwd) is used. */
  file?: string;
  /** Fields from the command line (flagsToConfig), which override the file's. */
  flags?: DroverConfig;
  /** The configuration in force, on a restart. */
  previous?: ResolvedConfig;
  /** How long the config file's top-level code may take: the hookTimeout in force, or its default. */
  loadWithinMs?: number;
  /** Gives the wait for the file up (the work itself cannot be cancelled). */
  signal?: AbortSignal;
}

export interface ResolveResult extends CheckResult {
  /** The config file read, or undefined if there was none. */
  readonly file: string | undefined;
}

/**
 * Finds and loads the config file (bounded by `loadWithinMs`), puts the flags over it and checks the
 * result. Throws DROVER_ERR_CONFIG_LOAD or DROVER_ERR_CONFIG_INVALID, having changed nothing.
 */
export async function resolveConfig(options: ResolveOptions = {}): Promise<ResolveResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = options.file === undefined ? findConfigFile(cwd) : resolve(cwd, options.file);
  const withinMs = options.loadWithinMs ?? parseDuration(DEFAULTS.hookTimeout);
  const loaded =
    file === undefined
      ? { input: {}, baseDir: cwd }
      : await withDeadline(
          loadConfigFile(file),
          withinMs,
          () =>
            new DroverError(
              ErrorCode.CONFIG_LOAD,
              `the config file ${file} did not finish loading within ${withinMs / 1000} s (hookTimeout): its top-level code waits on something; make it finish, or raise hookTimeout`,
            ),
          options.signal,
        );
  const input = mergeFlags(loaded.input, options.flags ?? {});
  const checked = checkConfig(input, { baseDir: loaded.baseDir, previous: options.previous });
  return { ...checked, file };
}
