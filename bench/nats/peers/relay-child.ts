// The relay's child (relay.ts): reads each call from fd 3, runs its method on the v8-serialized params
// (bench/dispatch/work.ts, as every target), publishes the v8-serialized result to the call's reply
// subject on its own NATS connection, and then, once the publish has been flushed, writes a DONE (a
// frame of one byte) back, as a drone does: the relay's way to know a child is free.
import { Socket } from "node:net";
import { deserialize, serialize } from "node:v8";
import { connect } from "@nats-io/transport-node";
import { wholeFrames } from "../../dispatch/peers/whole-frames.ts";
import { methods } from "../../dispatch/work.ts";

const [servers] = process.argv.slice(2);
if (!servers) throw new Error("usage: node relay-child.ts <servers>");
const connection = await connect({ servers, noAsyncTraces: true, name: `bench relay child ${process.pid}` });
const table: Record<string, (params: never) => unknown> = methods;
const DONE = Buffer.from([0, 0, 0, 1, 0]);

const pipe = new Socket({ fd: 3, readable: true, writable: true });
pipe.on(
  "data",
  wholeFrames((frames) => {
    for (let at = 0; at < frames.length; ) {
      const end = at + 4 + frames.readUInt32BE(at);
      const replyEnd = at + 5 + (frames[at + 4] ?? 0);
      const reply = frames.toString("latin1", at + 5, replyEnd);
      const methodEnd = replyEnd + 1 + (frames[replyEnd] ?? 0);
      const name = frames.toString("latin1", replyEnd + 1, methodEnd);
      const method = table[name];
      const params = deserialize(frames.subarray(methodEnd, end));
      // A wrong answer, which the bench's check of every result turns into a failed run.
      connection.publish(reply, serialize(method ? method(params as never) : `no method ${name}`));
      // The NATS client flushes in a microtask queued at the publish: the DONE goes after it.
      queueMicrotask(() => pipe.write(DONE));
      at = end;
    }
  }),
);
pipe.on("close", () => process.exit(0));
pipe.on("error", () => process.exit(0));
process.send?.("ready");
process.on("SIGTERM", () => void connection.drain().finally(() => process.exit(0)));
