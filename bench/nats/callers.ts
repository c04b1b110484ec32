// How the bench calls each target over NATS: drover's own client (`connect({ nats })` of
// drover/client) for a drover master, and for a bare responder what a Node user writes without
// drover, a plain `request` of @nats-io/transport-node with the same v8 payload. Both connections
// have noAsyncTraces (drover's client sets it itself).
import { deserialize, serialize } from "node:v8";
import { connect as connectNats } from "@nats-io/transport-node";
import { connect } from "../../src/client/index.ts";
import type { Caller } from "../dispatch/caller.ts";

/** The budget of every call: far past any run's, so that a lost call fails the run instead of hanging it. */
export const CALL_TIMEOUT_MS = 30_000;

/** drover/client over NATS, calling the bench service on `subject`. */
export async function droverCaller(servers: string, subject: string): Promise<Caller> {
  const client = await connect({
    nats: { servers, services: { bench: { subject } } },
    timeout: CALL_TIMEOUT_MS,
  });
  const service = client.service("bench");
  return {
    call: (method, params) => service.call(method, params),
    close: () => client.close(),
  };
}

/** `request(<subject>.<method>, v8.serialize(params))`, the reply's data v8-deserialized. */
export async function bareCaller(servers: string, subject: string): Promise<Caller> {
  const connection = await connectNats({ servers, noAsyncTraces: true, name: `bench caller ${process.pid}` });
  return {
    call: async (method, params) => {
      const reply = await connection.request(`${subject}.${method}`, serialize(params), {
        timeout: CALL_TIMEOUT_MS,
      });
      return deserialize(reply.data);
    },
    close: () => connection.close(),
  };
}
