// The control socket's messages: one JSON object per line each way. A request may carry an `id` (a
// string or a safe integer) and its reply then carries the same one, so a client can tell its reply
// from anything else on the line. A malformed request is refused and changes nothing.
import { DroverError, ErrorCode } from "../../errors.ts";

export type ControlRequest =
  | { readonly command: "status" }
  | { readonly command: "reload" }
  | { readonly command: "restart" }
  | { readonly command: "upgrade" }
  | { readonly command: "stop"; readonly graceful?: boolean; readonly timeoutMs?: number };

export type ControlId = string | number;

export type ControlReply =
  | { readonly id?: ControlId; readonly ok: true; readonly [field: string]: unknown }
  | {
      readonly id?: ControlId;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
    };

/** Answers one request; what it returns goes into the reply beside `ok: true` (`id` and `ok` are taken). */
export type ControlHandler = (request: ControlRequest) => Promise<Record<string, unknown>>;

/** A request line read: the request and its id, or why it was refused (with the id, when it had a good one). */
export type ParsedLine =
  | { readonly id?: ControlId; readonly request: ControlRequest }
  | { readonly id?: ControlId; readonly refusal: string };

type Fields = Readonly<Record<string, unknown>>;

// One entry per command: checks the request's other fields and builds it, or says what is wrong.
const COMMANDS = new Map<string, (fields: Fields) => ControlRequest | string>([
  ["status", () => ({ command: "status" })],
  ["reload", () => ({ command: "reload" })],
  ["restart", () => ({ command: "restart" })],
  ["upgrade", () => ({ command: "upgrade" })],
  ["stop", stopRequest],
]);

function stopRequest({ graceful, timeoutMs }: Fields): ControlRequest | string {
  if (graceful !== undefined && typeof graceful !== "boolean") return "stop: graceful must be true or false";
  if (timeoutMs !== undefined && !(Number.isSafeInteger(timeoutMs) && (timeoutMs as number) >= 0)) {
    return "stop: timeoutMs must be a whole number of milliseconds";
  }
  return {
    command: "stop",
    ...(graceful === undefined ? {} : { graceful }),
    ...(timeoutMs === undefined ? {} : { timeoutMs: timeoutMs as number }),
  };
}

const COMMAND_NAMES = [...COMMANDS.keys()];
const COMMAND_LIST = `${COMMAND_NAMES.slice(0, -1).join(", ")} or ${COMMAND_NAMES.at(-1)}`;

/** The request in `line` and its id, or why it is not one. */
function parseLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { refusal: "a control request must be a JSON object" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { refusal: "a control request must be a JSON object" };
  const fields = value as Fields;
  // Own properties only: `{"__proto__": ...}` and inherited names are not requests.
  const own = (key: string) => (Object.hasOwn(fields, key) ? fields[key] : undefined);
  const id = own("id");
  if (id !== undefined && typeof id !== "string" && !Number.isSafeInteger(id))
    return { refusal: "a control request's id must be a string or a safe integer" };
  const withId = id === undefined ? {} : { id: id as ControlId };
  const command = own("command");
  const build = typeof command === "string" ? COMMANDS.get(command) : undefined;
  if (build === undefined)
    return { ...withId, refusal: `unknown command ${JSON.stringify(command)}: use ${COMMAND_LIST}` };
  const request = build(fields);
  return typeof request === "string" ? { ...withId, refusal: request } : { ...withId, request };
}

/** The request in `line`, or why it is not one. */
export function parseRequest(line: string): ControlRequest | string {
  const parsed = parseLine(line);
  return "refusal" in parsed ? parsed.refusal : parsed.request;
}

/** The reply line (with its newline) for the request in `line`: never throws. */
export async function answerLine(line: string, handle: ControlHandler): Promise<string> {
  const parsed = parseLine(line);
  const id = parsed.id;
  if ("refusal" in parsed) return replyLine(refusal(parsed.refusal), id);
  try {
    return replyLine({ ok: true, ...(await handle(parsed.request)) }, id);
  } catch (error) {
    const code = error instanceof DroverError ? error.code : ErrorCode.INTERNAL;
    const message = error instanceof Error ? error.message : String(error);
    return replyLine({ ok: false, error: { code, message } }, id);
  }
}

export function refusal(message: string, code: string = ErrorCode.CONTROL_BAD_REQUEST): ControlReply {
  return { ok: false, error: { code, message } };
}

/** One reply as a line, `id` first when there is one. A reply that is not JSON becomes an error reply. */
export function replyLine(reply: ControlReply, id?: ControlId): string {
  const withId = id === undefined ? {} : { id };
  try {
    return `${JSON.stringify({ ...withId, ...reply, ...withId })}\n`;
  } catch (error) {
    const message = `the reply could not be written as JSON: ${(error as Error).message}`;
    return `${JSON.stringify({ ...withId, ...refusal(message, ErrorCode.INTERNAL) })}\n`;
  }
}
