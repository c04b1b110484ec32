// A hung child (its heartbeat stopped) is diagnosed before it is killed: its JavaScript stack goes to
// the log, as php-fpm's slowlog does. Node's diagnostic report cannot help, as it is produced on the
// event loop, which is exactly what is stuck. The child's watchdog thread can
// (child/stack-watchdog/stack-watchdog.ts): the master raises the request word in the child's scoreboard record, and the thread pauses its main
// thread through an in-process inspector session, logs the frames itself and answers in the reply
// word. No port is opened and the child is never signalled here: the caller kills it afterwards.
import type { Logger } from "../../log/logger.ts";
import type { Scoreboard } from "../../scoreboard/index.ts";
import { processStat } from "../../util/process-alive.ts";

// The watchdog polls every 100 ms and waits up to 1.5 s for the main thread to pause.
const REPLY_MS = 2_500;
const POLL_MS = 25;

/**
 * `answered`: the child logged its stack, or why it has none (a main thread blocked in native code).
 * Otherwise `reason` says why it could not: stopped, exited, or silent.
 */
export type HungStackOutcome =
  | { readonly answered: true }
  | { readonly answered: false; readonly reason: string };

/**
 * Asks the child `pid` in `slot` for its JavaScript stack and waits (at most 2.5 s) until it has logged
 * it; logs, on `log`, that the child is stuck (unless `announced`: the caller said why itself) and then
 * what came of the request. `scoreboard` is the master's own (its creator's).
 */
export async function readHungStack(
  scoreboard: Scoreboard,
  slot: number,
  pid: number,
  log: Logger,
  announced = false,
): Promise<HungStackOutcome> {
  if (!announced) log.error("a child's event loop is stuck: reading its JavaScript stack, then killing it");
  let outcome: HungStackOutcome;
  try {
    outcome = await askForStack(scoreboard, slot, pid);
  } catch (error) {
    // The scoreboard was closed meanwhile (the master is stopping): nobody waits for the answer.
    outcome = { answered: false, reason: `it could not be asked: ${(error as Error).message}` };
  }
  if (outcome.answered) log.info("hung child: it logged its JavaScript stack, or why it has none (above)");
  else log.error(`hung child: no stack (${outcome.reason})`);
  return outcome;
}

async function askForStack(scoreboard: Scoreboard, slot: number, pid: number): Promise<HungStackOutcome> {
  // A stopped process runs no thread, the watchdog's neither: do not wait for it.
  const stopped = cannotAnswer(pid);
  if (stopped) return { answered: false, reason: stopped };
  const words = scoreboard.stackWords(slot);
  const request = scoreboard.master.requestStack(slot);
  const deadline = Date.now() + REPLY_MS;
  for (;;) {
    if (words.answered() === request) return { answered: true };
    const reason = cannotAnswer(pid);
    if (reason) return { answered: false, reason };
    if (Date.now() > deadline) {
      const state = processStat(pid)?.state;
      const why =
        state === "D"
          ? ": it is in an uninterruptible wait in the kernel (state D)"
          : " (is its watchdog thread gone?)";
      return { answered: false, reason: `it did not answer within ${REPLY_MS / 1000} s${why}` };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Why `pid` cannot answer at all, from /proc/<pid>/stat; undefined while it can run. */
function cannotAnswer(pid: number): string | undefined {
  const state = processStat(pid)?.state;
  switch (state) {
    case undefined:
      return "it has exited";
    case "T":
      return "the process is stopped (state T, by SIGSTOP or a terminal): it cannot run its watchdog thread";
    case "t":
      return "the process is stopped by a debugger or tracer (state t)";
    case "Z":
    case "X":
      return `it has exited (state ${state})`;
    default:
      return undefined;
  }
}
