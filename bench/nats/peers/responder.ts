// The bare NATS responder: what a Node user writes without drover. It subscribes `<subject>.>` in
// queue group `queue` with a callback (the message handled in the turn that parsed it), runs the
// method the last token names on the v8-serialized params (the same methods as drover's drones,
// bench/dispatch/work.ts) and responds with the v8-serialized result. `noAsyncTraces`, as drover's
// own connections have it (research 3.1). Forked by queue-group.ts it also reports "ready" over IPC
// and exits with its parent.
import { deserialize, serialize } from "node:v8";
import { connect } from "@nats-io/transport-node";
import { methods } from "../../dispatch/work.ts";

const [servers, subject, queue] = process.argv.slice(2);
if (!servers || !subject || !queue) throw new Error("usage: node responder.ts <servers> <subject> <queue>");

const connection = await connect({ servers, noAsyncTraces: true, name: `bench responder ${process.pid}` });
const prefix = `${subject}.`;
const table: Record<string, (params: never) => unknown> = methods;
connection.subscribe(`${prefix}>`, {
  queue,
  callback: (error, message) => {
    if (error) return;
    const method = table[message.subject.slice(prefix.length)];
    // A wrong answer, which the bench's check of every result turns into a failed run.
    const result = method ? method(deserialize(message.data) as never) : `no method ${message.subject}`;
    message.respond(serialize(result));
  },
});
// The server has the subscription once the flush's PONG is back: calls sent from now on reach it.
await connection.flush();
console.log(`bench responder listening on ${prefix}> (queue ${queue}, pid ${process.pid})`);
process.send?.("ready");

const stop = () => void connection.drain().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("disconnect", stop);
