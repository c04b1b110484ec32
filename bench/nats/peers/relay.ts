// The floor of drover's design over NATS: a relay process subscribed to `<subject>.>` (queue group
// `queue`, a callback subscription) passes each call, whole, over a socketpair to one child process
// (relay-child.ts), which runs the method and publishes the result to the caller's reply subject on
// its own NATS connection, then tells the relay it is done. The call makes the one process hop more
// that drover's makes, and nothing else: no header read, no choice of child, no timer, no bookkeeping.
import { spawn } from "node:child_process";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";

const [servers, subject, queue] = process.argv.slice(2);
if (!servers || !subject || !queue) throw new Error("usage: node relay.ts <servers> <subject> <queue>");

const script = fileURLToPath(new URL("./relay-child.ts", import.meta.url));
const child = spawn(process.execPath, [script, servers], {
  stdio: ["ignore", "inherit", "inherit", "pipe", "ipc"],
});
const pipe = child.stdio[3] as Socket;
// Its DONE frames: read and dropped (with one child there is nothing to choose).
pipe.on("data", () => {});
await new Promise<void>((resolve, reject) => {
  child.once("message", () => resolve());
  child.once("exit", (code, signal) => reject(new Error(`the relay's child exited (${signal ?? code})`)));
});

const connection = await connect({ servers, noAsyncTraces: true, name: `bench relay ${process.pid}` });
const prefix = `${subject}.`;
connection.subscribe(`${prefix}>`, {
  queue,
  callback: (error, message) => {
    if (error || !message.reply) return;
    // [u32 size][u8 reply length][reply][u8 method length][method][params]: all ASCII but the params.
    const reply = message.reply;
    const method = message.subject.slice(prefix.length);
    const frame = Buffer.allocUnsafe(4 + 2 + reply.length + method.length + message.data.length);
    frame.writeUInt32BE(frame.length - 4, 0);
    frame[4] = reply.length;
    let at = 5 + frame.write(reply, 5, "latin1");
    frame[at] = method.length;
    at += 1 + frame.write(method, at + 1, "latin1");
    frame.set(message.data, at);
    pipe.write(frame);
  },
});
await connection.flush();
console.log(`bench relay listening on ${prefix}> (queue ${queue}, pid ${process.pid})`);

const stop = () => {
  void connection.drain().finally(() => {
    child.once("exit", () => process.exit(0));
    child.kill("SIGTERM");
  });
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
child.once("exit", (code, signal) => {
  console.error(`relay child exited (${signal ?? code}): the relay stops`);
  process.exit(1);
});
