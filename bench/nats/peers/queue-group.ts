// Several bare responders (responder.ts) subscribed in one NATS queue group: NATS hands each call to
// one of them at random, busy or not. This process only forks them, in its process group, so that
// the bench reads their CPU time as one target's and one stop ends them all; each exits with it.
import { fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { ChildGroup } from "../../process/child-group.ts";

const [servers, subject, queue, count] = process.argv.slice(2);
const size = Number(count);
if (!servers || !subject || !queue || !Number.isInteger(size) || size < 1)
  throw new Error("usage: node queue-group.ts <servers> <subject> <queue> <responders>");

const script = fileURLToPath(new URL("./responder.ts", import.meta.url));
const group = new ChildGroup("the queue group");
const children = Array.from({ length: size }, (_, i) =>
  group.add(fork(script, [servers, subject, queue], { stdio: "inherit" }), `responder ${i}`),
);
await Promise.all(children.map((child) => once(child, "message")));
console.log(`bench queue group of ${size} listening on ${subject}.> (pid ${process.pid})`);
