// An uncaught exception or an unhandled rejection in the app leaves the child in a state nobody can
// vouch for, but its other requests are probably fine: the child logs the error (one JSON line, with
// its stack), stops taking connections, finishes what it has within its drain deadline and exits to
// be replaced. A second one while it drains ends it at once.
import type { Logger } from "../log/logger.ts";
import { EXIT_CHILD_CRASHED } from "../protocol/exit-codes.ts";

/** Installs the handlers; `crashed` is told once, at the first one. */
export function guardAgainstCrashes(log: Logger, crashed: () => void): void {
  let count = 0;
  // Node raises an unhandled rejection as an uncaught exception (--unhandled-rejections=throw, the
  // default), with `origin` saying which it was: one handler sees both.
  process.on("uncaughtException", (error, origin) => {
    count++;
    const what = origin === "unhandledRejection" ? "an unhandled promise rejection" : "an uncaught exception";
    if (count > 1) {
      log.fatal({ err: error, origin }, `${what} while draining after a crash: exiting now`);
      process.exit(EXIT_CHILD_CRASHED);
    }
    log.fatal(
      { err: error, origin },
      `${what} in the app: this child stops taking connections, finishes its other requests and exits`,
    );
    crashed();
  });
}
