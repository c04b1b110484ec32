// What a child's code writes to its standard output and error (console.log, console.error,
// process.stdout.write, a framework's own messages) becomes drover's log lines: one JSON line for each
// line of text, with the child's pid, role, slot and generation and `stream`, in the one stream drover
// logs to (standard error), so an operator reads one stream and knows which child said what. Captured
// in the child itself, not through a pipe to the master: the master relays nothing, and a child whose
// master died writes on as before. What bypasses process.stdout (a subprocess that inherits the
// descriptors, a logger writing to fd 1 itself, as pino does) keeps its own stream.
import { StringDecoder } from "node:string_decoder";
import type { Logger } from "pino";

/** "0" in a child's environment when the config's captureOutput is false. */
const CAPTURE_OUTPUT_ENV = "DROVER_CAPTURE_OUTPUT";

/** What the master adds to a child's or a drone's environment for the config's captureOutput. */
export function captureOutputEnv(config: { readonly captureOutput: boolean }): Record<string, string> {
  return config.captureOutput ? {} : { [CAPTURE_OUTPUT_ENV]: "0" };
}

/** A line longer than this is logged in pieces of this many characters. */
const MAX_LINE = 16 * 1024;

type Write = NodeJS.WriteStream["write"];
type Callback = (error?: Error | null) => void;

/** Captures both streams into `log`, unless the master said not to (captureOutput: false). */
export function captureOutput(log: Logger): void {
  if (process.env[CAPTURE_OUTPUT_ENV] === "0") return;
  capture(process.stdout, (line) => log.info({ stream: "stdout" }, line));
  capture(process.stderr, (line) => log.warn({ stream: "stderr" }, line));
}

function capture(stream: NodeJS.WriteStream, logLine: (line: string) => void): void {
  let pending = "";
  // Bytes of one character may come in two writes.
  const decoder = new StringDecoder("utf8");
  const take = (text: string) => {
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      logLines(pending + text.slice(start, end));
      pending = "";
      start = end + 1;
    }
    pending += text.slice(start);
    while (pending.length > MAX_LINE) {
      logLine(pending.slice(0, MAX_LINE));
      pending = pending.slice(MAX_LINE);
    }
  };
  const logLines = (line: string) => {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    for (let at = 0; at < text.length || at === 0; at += MAX_LINE) logLine(text.slice(at, at + MAX_LINE));
  };
  stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const done = (typeof encoding === "function" ? encoding : callback) as Callback | undefined;
    const charset = typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8";
    take(
      typeof chunk === "string"
        ? charset === "utf8" || charset === "utf-8"
          ? chunk
          : Buffer.from(chunk, charset).toString("utf8")
        : decoder.write(Buffer.from(chunk as Uint8Array)),
    );
    if (done) process.nextTick(done);
    return true;
  }) as Write;
  // A last line without its newline is not lost at the exit.
  process.once("exit", () => {
    if (pending.length > 0) logLines(pending);
    pending = "";
  });
}
