// `drover call <service> <method> [json]`: one call through the master's service socket, its result
// printed as JSON. Binary data (Buffers, typed arrays) is printed as base64, with a note on stderr.
import { inspect } from "node:util";
import { connect, type DispatchError } from "../client/index.ts";
import { ErrorCode, isDroverError } from "../errors.ts";
import { EXIT_FAILED, EXIT_NOT_RUNNING, EXIT_OK, EXIT_USAGE } from "./exit-codes.ts";

export interface CallCommandOptions {
  /** The service socket (from --socket, or dispatch.sock in the run directory). */
  readonly socket: string;
  /** The call's budget (from --timeout); undefined: the service's requestTimeout. */
  readonly timeoutMs: number | undefined;
}

/** Runs `drover call` with its positional arguments; returns the exit code. */
export async function callCommand(args: readonly string[], options: CallCommandOptions): Promise<number> {
  const [service, method, json] = args;
  if (service === undefined || method === undefined || args.length > 3) {
    console.error(
      "drover call: give a service, a method and optionally the params as one JSON argument, " +
        `e.g. drover call math add '{"a":1,"b":2}'`,
    );
    return EXIT_USAGE;
  }
  let params: unknown;
  if (json !== undefined) {
    try {
      params = JSON.parse(json);
    } catch (error) {
      console.error(
        `drover call: the params are not JSON (${(error as Error).message}): ` +
          `give them as one quoted argument, e.g. '{"a":1,"b":2}'`,
      );
      return EXIT_USAGE;
    }
  }
  let result: unknown;
  try {
    const client = await connect({ socket: options.socket, timeout: options.timeoutMs });
    try {
      result = await client.service(service).call(method, params);
    } finally {
      await client.close();
    }
  } catch (error) {
    if (!isDroverError(error)) throw error;
    printFailure(error as DispatchError);
    return noMaster(error as DispatchError) ? EXIT_NOT_RUNNING : EXIT_FAILED;
  }
  printResult(result);
  return EXIT_OK;
}

// No socket, or nobody listening on it: no master serves services in that run directory.
function noMaster(error: DispatchError): boolean {
  const cause = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return error.code === ErrorCode.DISPATCH_CONNECTION && (cause === "ENOENT" || cause === "ECONNREFUSED");
}

function printFailure(error: DispatchError): void {
  console.error(`${error.code}: ${error.message}`);
  const { remote } = error;
  if (remote?.stack) console.error(`  thrown in the drone:\n${indent(remote.stack)}`);
  else if (remote) console.error(`  thrown in the drone: ${remote.name}: ${remote.message}`);
  if (remote?.code !== undefined) console.error(`  its code: ${remote.code}`);
  const methods = error.methods?.join(", ");
  if (methods && !error.message.includes(methods)) console.error(`  the service's methods: ${methods}`);
  if (error.code === ErrorCode.DISPATCH_CONNECTION) {
    console.error("  give drover call the master's --run-dir, or its --config (whose runDir it reads)");
  }
}

function printResult(result: unknown): void {
  if (result === undefined) {
    console.error("note: the method returned undefined (nothing to print)");
    return;
  }
  const notes = new Set<string>();
  let text: string;
  try {
    text = JSON.stringify(result, jsonReplacer(notes), 2);
  } catch {
    // A value JSON cannot write (a cycle): shown as Node would show it.
    notes.add("the result is not JSON (it refers to itself): shown as Node inspects it");
    text = inspect(result, { depth: null, maxArrayLength: null, maxStringLength: null });
  }
  console.log(text);
  for (const note of notes) console.error(`note: ${note}`);
}

/** JSON.stringify's replacer for what v8 carries and JSON has not; each kind met adds a note. */
function jsonReplacer(notes: Set<string>) {
  return function replace(this: unknown, key: string, value: unknown): unknown {
    // Before toJSON: a Buffer's own toJSON would give { type, data } instead of the bytes.
    const original = (this as Record<string, unknown>)[key];
    if (original instanceof Uint8Array || original instanceof ArrayBuffer || ArrayBuffer.isView(original)) {
      notes.add("binary data is shown as base64 strings");
      const view = ArrayBuffer.isView(original)
        ? Buffer.from(original.buffer, original.byteOffset, original.byteLength)
        : Buffer.from(original as ArrayBuffer);
      return view.toString("base64");
    }
    if (typeof value === "bigint") {
      notes.add("big integers are shown as strings");
      return value.toString();
    }
    // JSON would write null for them, which reads as a method that returned null.
    if (typeof value === "number" && !Number.isFinite(value)) {
      notes.add("NaN and Infinity are shown as strings");
      return String(value);
    }
    if (value instanceof Map) {
      notes.add("Maps are shown as objects of their entries");
      return Object.fromEntries([...value].map(([entryKey, entry]) => [String(entryKey), entry]));
    }
    if (value instanceof Set) {
      notes.add("Sets are shown as arrays");
      return [...value];
    }
    return value;
  };
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
