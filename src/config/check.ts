// checkConfig: turns what the user wrote into the configuration the master runs with. Wrong values
// are refused all together in one error, so nothing half-applied ever runs; sizes out of range are
// adjusted with a warning each, as Apache's worker MPM does.
import { resolve } from "node:path";
import { fitDrones } from "./drone-sizing.ts";
import { ConfigInvalidError } from "./errors.ts";
import { readFields } from "./fields.ts";
import { keepHealth } from "./health.ts";
import { fitSizing } from "./sizing.ts";
import type { ResolvedConfig } from "./types/resolved-config.ts";

export interface CheckOptions {
  /** Where relative paths start: the config file's folder, or the working directory without a file. */
  baseDir: string;
  /** The configuration in force, on a restart; serverLimit, workerLimit and droneLimit cannot change from it. */
  previous?: ResolvedConfig;
}

export interface CheckResult {
  readonly config: ResolvedConfig;
  /** One line per value that was adjusted to fit, naming the field, the value given and the value used. */
  readonly warnings: string[];
}

/**
 * Checks a config and fills in everything not given. Throws DROVER_ERR_CONFIG_INVALID listing every
 * problem (`error.problems`) when any value is refused; it changes nothing, so a running generation
 * can keep serving. Reads the file system (app and service modules must exist) and the account
 * database (user, group). Values that only fail against the settled sizes (droneConcurrency against
 * workerLimit, droneLimit) are refused after every other value was found right.
 */
export function checkConfig(input: unknown, options: CheckOptions): CheckResult {
  const read = readFields(input, resolve(options.baseDir));
  if (!read.ok) throw new ConfigInvalidError(read.problems);
  const { fields } = read;
  const { sizing, warnings } = fitSizing(fields, options.previous);
  const drones = fitDrones({ ...fields, ...sizing }, options.previous?.droneLimit);
  if (!drones.ok) throw new ConfigInvalidError(drones.problems);
  warnings.push(...drones.warnings);
  const config: ResolvedConfig = {
    ...fields,
    ...sizing,
    services: drones.services,
    droneLimit: drones.droneLimit,
    health: keepHealth(fields.health, options.previous, warnings),
    listen: Object.freeze(fields.listen.map((listener) => Object.freeze(listener))),
    user: fields.user && Object.freeze(fields.user),
    group: fields.group && Object.freeze(fields.group),
    // A module named by path is found from the config file's folder, like the app.
    modules: Object.freeze(
      fields.modules.map((spec) =>
        /^\.{0,2}\//.test(spec.use)
          ? Object.freeze({ ...spec, use: resolve(options.baseDir, spec.use) })
          : spec,
      ),
    ),
  };
  return { config: Object.freeze(config), warnings };
}
