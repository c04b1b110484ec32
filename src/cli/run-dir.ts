// Which master a command talks to, and the --timeout flag the commands that wait share.
import { resolve } from "node:path";
import { readDuration } from "../config/duration.ts";
import { resolveConfig } from "../config/index.ts";
import { DroverError, ErrorCode, isDroverError } from "../errors.ts";
import { type FlagValues, stringFlag } from "./command.ts";

/**
 * The run directory a command talks to: --run-dir, else the config file's runDir, else .drover here.
 * The config is only read for that, so a config whose app is missing still lets `drover stop` work;
 * but a file named with --config that cannot be loaded (not there, say) is said, not passed over.
 */
export async function runDirOf(cwd: string, values: FlagValues): Promise<string> {
  const flag = stringFlag(values, "run-dir");
  if (flag !== undefined) return resolve(cwd, flag);
  const file = stringFlag(values, "config");
  try {
    return (await resolveConfig({ cwd, file })).config.runDir;
  } catch (error) {
    if (file !== undefined && isDroverError(error, ErrorCode.CONFIG_LOAD)) {
      throw new DroverError(
        ErrorCode.CONFIG_LOAD,
        `${error.message.replace(/\.$/, "")}; or give the master's run directory with --run-dir DIR`,
        { cause: error },
      );
    }
    return resolve(cwd, ".drover");
  }
}

/**
 * Milliseconds from a duration with a unit ("30s", like every other duration), or from a bare number,
 * which here means seconds (as it always has for --timeout); NaN for anything else.
 */
export function timeoutFlag(text: string): number {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (Number.isFinite(value)) return value >= 0 ? Math.round(value * 1000) : Number.NaN;
  const parsed = readDuration(text);
  return parsed.ok ? parsed.value : Number.NaN;
}
