// The stack watchdog: a worker thread in each child that answers the master's requests for the main
// thread's JavaScript stack (see stack-watchdog.ts). It polls its slot's request word, and on a new
// request pauses the main thread over an in-process inspector session, logs the frames as one JSON
// line, and stores the request's number as the reply. It writes to stderr itself: a hung main thread
// could not pass a line on.
import { parentPort, workerData } from "node:worker_threads";
import { createLogger, type Logger } from "../../log/logger.ts";
import { Scoreboard, type StackWords } from "../../scoreboard/index.ts";
import { formatStack, readMainThreadStack } from "./main-thread-stack.ts";
import { LOADED, type StackWatchdogData } from "./stack-watchdog.ts";

// A load of one word: cheap enough to do often, so a request waits at most this long.
const POLL_MS = 100;
// The master waits 2.5 s for the reply (hung-child.ts): this leaves room for the poll and the log line.
const PAUSE_MS = 1_500;
// Enough to see where a loop spins; a runaway recursion's outer frames say nothing more.
const MAX_FRAMES = 64;

/** How this thread maps the scoreboard: the one place that knows where the scoreboard comes from. */
function mapScoreboard(data: StackWatchdogData): Scoreboard {
  // A mapping of its own; the descriptor stays the child's.
  return Scoreboard.fromFd(data.scoreboardFd, { closeFd: false });
}

function watch(data: StackWatchdogData): void {
  const log = createLogger(data.level, data.bindings);
  const scoreboard = mapScoreboard(data);
  const words = scoreboard.stackWords(data.slot);
  let answering = false;
  const poll = setInterval(() => {
    if (answering) return;
    // The slot went to another child (this one detached from it while draining): nothing to answer.
    if (words.owner() !== process.pid) {
      clearInterval(poll);
      scoreboard.close();
      return;
    }
    const request = words.requested();
    if (request === words.answered()) return;
    answering = true;
    void answer(words, request, log).finally(() => {
      answering = false;
    });
  }, POLL_MS);
}

async function answer(words: StackWords, request: number, log: Logger): Promise<void> {
  try {
    const stack = await readMainThreadStack(PAUSE_MS, MAX_FRAMES);
    if (stack) {
      const omitted = stack.omitted > 0 ? { omittedFrames: stack.omitted } : {};
      log.error(
        { stackRequest: request, stack: stack.frames, trace: formatStack(stack.frames), ...omitted },
        "hung child's JavaScript stack",
      );
    } else {
      log.error(
        { stackRequest: request },
        `hung child: no JavaScript stack, as its main thread did not pause within ${PAUSE_MS / 1000} s: ` +
          "it is not running JavaScript (blocked in native code, such as a synchronous system call or child process)",
      );
    }
  } catch (error) {
    log.error(
      { err: error, stackRequest: request },
      `hung child: its stack could not be read: ${String(error)}`,
    );
  }
  // Answered either way, so the master does not wait any longer; unless the slot is another's now.
  if (words.owner() === process.pid) words.answer(request);
}

watch(workerData as StackWatchdogData);
// Every file this thread needs is loaded now: the child may drop privileges (see watchdogLoaded).
parentPort?.postMessage(LOADED);
