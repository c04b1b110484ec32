// An uncaught exception or an unhandled rejection in a drone: the state its running calls see can no
// longer be trusted, so their answers are not sent. The drone logs the error (one JSON line, with its
// stack) and exits EXIT_CHILD_CRASHED; the master fails, or retries where the service allows it, the
// calls it gave this drone. A second one while it exits ends it at once.
import type { Logger } from "../log/logger.ts";
import { EXIT_CHILD_CRASHED } from "../protocol/exit-codes.ts";

/** Installs the handlers; `crashed` is told once, at the first one. */
export function guardDroneAgainstCrashes(log: Logger, crashed: () => void): void {
  let count = 0;
  // Node raises an unhandled rejection as an uncaught exception (--unhandled-rejections=throw, the
  // default), with `origin` saying which it was: one handler sees both.
  process.on("uncaughtException", (error, origin) => {
    count++;
    const what = origin === "unhandledRejection" ? "an unhandled promise rejection" : "an uncaught exception";
    if (count > 1) {
      log.fatal({ err: error, origin }, `${what} while the drone exits after a crash: exiting now`);
      process.exit(EXIT_CHILD_CRASHED);
    }
    log.fatal(
      { err: error, origin },
      `${what} in the service: this drone answers no more calls and exits; the master fails or retries its calls`,
    );
    crashed();
  });
}
