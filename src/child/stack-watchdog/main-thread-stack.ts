// Reads the main thread's JavaScript stack from a worker thread of the same process, through an
// in-process inspector session: no port, nothing another process can reach. V8 serves the session
// between two JavaScript instructions, so a main thread spinning in a loop pauses at once; one blocked
// in native code (a synchronous system call or child process) runs no instruction and cannot pause.
import { type Debugger, type InspectorNotification, Session } from "node:inspector";

export interface StackFrame {
  readonly function: string;
  readonly url: string;
  readonly line: number;
  readonly column: number;
}

export interface MainThreadStack {
  /** The innermost frames, at most `maxFrames` of them. */
  readonly frames: StackFrame[];
  /** Outer frames left out (a deep recursion would make a log line of megabytes). */
  readonly omitted: number;
}

/**
 * Pauses the main thread, reads its call frames and resumes it. Undefined when it did not pause within
 * `timeoutMs` (it runs no JavaScript); the request is then dropped, so it does not pause later either.
 * Only callable from a worker thread.
 */
export function readMainThreadStack(
  timeoutMs: number,
  maxFrames: number,
): Promise<MainThreadStack | undefined> {
  const session = new Session();
  session.connectToMainThread();
  // CallFrame.url is left empty by V8 nowadays: the url comes from the script's scriptParsed event,
  // which Debugger.enable sends for every script before it answers.
  const scripts = new Map<string, string>();
  return new Promise((resolve) => {
    let stack: MainThreadStack | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // Disconnecting also resumes the main thread and drops a pause it has not reached yet.
      session.disconnect();
      resolve(stack);
    };
    const timer = setTimeout(finish, timeoutMs);
    session.on(
      "Debugger.scriptParsed",
      (message: InspectorNotification<Debugger.ScriptParsedEventDataType>) =>
        scripts.set(message.params.scriptId, message.params.url),
    );
    session.once("Debugger.paused", (message: InspectorNotification<Debugger.PausedEventDataType>) => {
      const { callFrames } = message.params;
      stack = {
        frames: callFrames.slice(0, maxFrames).map((frame) => ({
          function: frame.functionName || "(anonymous)",
          url: scripts.get(frame.location.scriptId) || frame.url,
          line: frame.location.lineNumber + 1,
          column: (frame.location.columnNumber ?? 0) + 1,
        })),
        omitted: Math.max(0, callFrames.length - maxFrames),
      };
      session.post("Debugger.resume", finish);
    });
    // Errors (a closed session) need no handling: the timer or the pause settles the promise.
    session.post("Debugger.enable", () => {});
    session.post("Debugger.pause", () => {});
  });
}

/** "    at fn (url:line:column)" lines, as in an Error's stack. */
export function formatStack(frames: readonly StackFrame[]): string {
  return frames
    .map((frame) => `    at ${frame.function} (${frame.url}:${frame.line}:${frame.column})`)
    .join("\n");
}
