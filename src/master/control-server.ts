// The control socket: a unix socket in the run directory, owner-only, that the `drover` command talks
// to. One JSON object per line each way. A malformed request gets an error reply and changes nothing.
import { chmodSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { DroverError, ErrorCode } from "../errors.ts";

export type ControlRequest =
  | { readonly command: "status" }
  | { readonly command: "reload" }
  | { readonly command: "restart" }
  | { readonly command: "stop"; readonly graceful?: boolean; readonly timeoutMs?: number };

export type ControlReply =
  | { readonly ok: true; readonly [field: string]: unknown }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

export type ControlHandler = (request: ControlRequest) => Promise<Record<string, unknown>>;

// Requests are a few dozen bytes; a line this long is not a request.
const MAX_LINE = 64 * 1024;

/** Listens on `path` (mode 0600) and answers each request line with `handle`'s result. */
export async function startControlServer(path: string, handle: ControlHandler): Promise<Server> {
  rmSync(path, { force: true });
  const server = createServer((socket) => serve(socket, handle));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  return server;
}

function serve(socket: Socket, handle: ControlHandler): void {
  let buffered = "";
  socket.setEncoding("utf8");
  socket.on("error", () => {});
  const tooLong = () => {
    reply(socket, refusal("a control request must be one JSON line of at most 64 KiB"));
    socket.end();
    buffered = "";
  };
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.length > MAX_LINE) return tooLong();
      void answer(socket, line, handle);
      newline = buffered.indexOf("\n");
    }
    if (buffered.length > MAX_LINE) tooLong();
  });
}

async function answer(socket: Socket, line: string, handle: ControlHandler): Promise<void> {
  const request = parseRequest(line);
  if (typeof request === "string") return reply(socket, refusal(request));
  try {
    reply(socket, { ok: true, ...(await handle(request)) });
  } catch (error) {
    const code = error instanceof DroverError ? error.code : "DROVER_ERR_INTERNAL";
    reply(socket, { ok: false, error: { code, message: (error as Error).message } });
  }
}

/** The request in `line`, or why it is not one. */
export function parseRequest(line: string): ControlRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "a control request must be a JSON object";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "a control request must be a JSON object";
  const { command, graceful, timeoutMs } = value as Record<string, unknown>;
  switch (command) {
    case "status":
    case "reload":
    case "restart":
      return { command };
    case "stop":
      if (graceful !== undefined && typeof graceful !== "boolean")
        return "stop: graceful must be true or false";
      if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && (timeoutMs as number) >= 0)) {
        return "stop: timeoutMs must be a whole number of milliseconds";
      }
      return {
        command,
        ...(graceful === undefined ? {} : { graceful }),
        ...(timeoutMs === undefined ? {} : { timeoutMs: timeoutMs as number }),
      };
    default:
      return `unknown command ${JSON.stringify(command)}: use status, reload, restart or stop`;
  }
}

function refusal(message: string): ControlReply {
  return { ok: false, error: { code: ErrorCode.CONTROL_BAD_REQUEST, message } };
}

function reply(socket: Socket, message: ControlReply): void {
  if (socket.writable) socket.write(`${JSON.stringify(message)}\n`);
}
