// What the `drover` command's exit code means.
import { ErrorCode, isDroverError } from "../errors.ts";

export const EXIT_OK = 0;
/** The command failed; the message says why. */
export const EXIT_FAILED = 1;
/** Bad usage or a bad config (a module's options included). */
export const EXIT_USAGE = 2;
/** No master runs in the run directory. */
export const EXIT_NOT_RUNNING = 3;

export function exitCodeOf(error: unknown): number {
  if (isDroverError(error, ErrorCode.NOT_RUNNING)) return EXIT_NOT_RUNNING;
  const usage = [
    ErrorCode.CONFIG_INVALID,
    ErrorCode.CONFIG_LOAD,
    ErrorCode.MODULE_INVALID,
    ErrorCode.MODULE_TYPE,
    ErrorCode.PACKAGE_JSON_INVALID,
  ] as const;
  if (usage.some((code) => isDroverError(error, code))) return EXIT_USAGE;
  return EXIT_FAILED;
}
