// drover/client: call the services of a drover master over its service socket (the embedded transport).
//
//   import { connect } from "drover/client";
//   const client = await connect({ runDir: ".drover" });
//   const sum = await client.service<typeof import("./math.ts").default>("math").call("add", { a: 1, b: 2 });
//
// Light on purpose: nothing of the master, no logger; Node's own modules and the wire format only.
export type { Duration } from "../config/types/values.ts";
export { DroverError, ErrorCode, isDroverError } from "../errors.ts";
export type { ParamsOf, ResultOf, ServiceDefinition } from "../service/define.ts";
export { connect } from "./connect.ts";
export { DispatchError, type RemoteError } from "./errors.ts";
export { DISPATCH_SOCKET_NAME, dispatchSocketPath } from "./socket-path.ts";
export type {
  CallOptions,
  Client,
  ConnectOptions,
  NatsClientOptions,
  NatsServiceOptions,
  ServiceClient,
  Session,
  SessionOptions,
} from "./types.ts";
