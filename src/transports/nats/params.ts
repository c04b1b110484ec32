// A call's params as they arrive over NATS, checked before any drone sees them: within the service's
// maxMessageBytes, and v8-serialized (a structured clone starts with its version tag, 0xFF) rather
// than some other publisher's bytes. A bad one is answered here with the error.
import { ErrorCode } from "../../errors.ts";
import type { Dispatcher } from "../seam.ts";
import { type Answer, respondError } from "./nats-reply.ts";

const V8_VERSION_TAG = 0xff;

/** The params of a call of `service`.`method`, or undefined once it was answered with why not. */
export function callParams(
  data: Uint8Array,
  answer: Answer,
  service: string,
  method: string,
  dispatcher: Dispatcher,
): Buffer | undefined {
  const limit = dispatcher.bodyLimit(service);
  if (data.byteLength > limit) {
    respondError(
      answer,
      ErrorCode.MESSAGE_TOO_LARGE,
      `the params of ${service}.${method} are ${data.byteLength} bytes, over maxMessageBytes ${limit}: send less, or raise the service's maxMessageBytes`,
    );
    return undefined;
  }
  if (data.byteLength < 2 || data[0] !== V8_VERSION_TAG) {
    respondError(
      answer,
      ErrorCode.DISPATCH_BAD_MESSAGE,
      `the params of ${service}.${method} are not a v8-serialized value: call through drover/client (connect({ nats })), or send v8.serialize(params)`,
    );
    return undefined;
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
