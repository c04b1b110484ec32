// What a failed call carries back to the master: a RemoteError, small enough for a DONE header. The
// master checks each header it reads (messages.ts) and a frame's header is at most MAX_HEADER_BYTES,
// so whatever a method throws (a huge message, a deep stack, a name that is not a string) is cut to fit
// rather than breaking the channel.
import { inspect } from "node:util";
import { MAX_HEADER_BYTES } from "../dispatch/wire/frames.ts";
import type { RemoteError } from "../dispatch/wire/messages.ts";
import { ErrorCode } from "../errors.ts";

// Room left in the header for its other fields (id, ok, retire).
const ERROR_BYTES = MAX_HEADER_BYTES - 1024;
const NAME_CHARS = 256;
const CODE_CHARS = 256;
const TEXT_CHARS = 16 * 1024;

/** A failure drover itself reports (a refused frame, an unknown method), with its stable code. */
export function droverFailure(code: ErrorCode, message: string): RemoteError {
  return fitted({ name: "DroverError", code, message });
}

/** A result that cannot be sent: v8 cannot serialize it (it says why in `why`). */
export function cloneFailure(method: string, why: string): RemoteError {
  return fitted({
    name: "DataCloneError",
    code: ErrorCode.METHOD_FAILED,
    message: `the result of ${method} cannot be sent (${cut(why, 512)}): return plain data (objects, arrays, strings, numbers, booleans, null, Dates, Maps, Sets, Buffers and typed arrays), not functions, symbols or objects holding them`,
  });
}

/** What a method threw or rejected with, as the caller will see it. */
export function thrownFailure(thrown: unknown): RemoteError {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    return fitted({
      name: typeof thrown.name === "string" && thrown.name !== "" ? thrown.name : "Error",
      message: typeof thrown.message === "string" ? thrown.message : inspect(thrown.message),
      ...(typeof thrown.stack === "string" ? { stack: thrown.stack } : {}),
      ...(typeof code === "string" ? { code } : {}),
    });
  }
  return fitted({
    name: "Error",
    message: `the method threw a value that is not an Error: ${inspect(thrown, { depth: 2, breakLength: Infinity })}; throw an Error (with a \`code\` if the caller should tell failures apart)`,
  });
}

/** `error` with each field cut to what a header holds. */
function fitted(error: RemoteError): RemoteError {
  let textChars = TEXT_CHARS;
  for (;;) {
    const fit: RemoteError = {
      name: cut(error.name, NAME_CHARS),
      message: cut(error.message, textChars),
      ...(error.stack !== undefined ? { stack: cut(error.stack, textChars) } : {}),
      ...(error.code !== undefined ? { code: cut(error.code, CODE_CHARS) } : {}),
    };
    // Escapes and multi-byte characters make a character up to 6 bytes of JSON: measure, not guess.
    if (Buffer.byteLength(JSON.stringify(fit)) <= ERROR_BYTES || textChars < 64) return fit;
    textChars = Math.floor(textChars / 2);
  }
}

function cut(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}
