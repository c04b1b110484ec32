// A RUN's body: the call's params, v8-serialized by the caller and passed through the master untouched.
// An empty body is `undefined` (a call without params). Bytes v8 cannot read are the caller's fault,
// answered as a bad message: the method never sees them.
import { deserialize } from "node:v8";
import type { RemoteError } from "../dispatch/wire/messages.ts";
import { ErrorCode } from "../errors.ts";
import { droverFailure } from "./failures.ts";

export type DecodedParams = { ok: true; value: unknown } | { ok: false; error: RemoteError };

export function decodeParams(method: string, body: Buffer): DecodedParams {
  if (body.byteLength === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: deserialize(body) };
  } catch (error) {
    return {
      ok: false,
      error: droverFailure(
        ErrorCode.DISPATCH_BAD_MESSAGE,
        `the params of ${method} could not be decoded (${(error as Error)?.message ?? String(error)}): send them v8-serialized (node:v8 serialize), as drover's client does`,
      ),
    };
  }
}
