// Several bare responders (responder.ts) subscribed in one NATS queue group: NATS hands each call to
// one of them at random, busy or not. This process only forks them, in its process group, so that
// the bench reads their CPU time as one target's and one stop ends them all; each exits with it.
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const [servers, subject, queue, count] = process.argv.slice(2);
const size = Number(count);
if (!servers || !subject || !queue || !Number.isInteger(size) || size < 1)
  throw new Error("usage: node queue-group.ts <servers> <subject> <queue> <responders>");

const script = fileURLToPath(new URL("./responder.ts", import.meta.url));
const children: ChildProcess[] = [];
let stopping = false;
for (let i = 0; i < size; i++) {
  const child = fork(script, [servers, subject, queue], { stdio: "inherit" });
  child.once("exit", (code, signal) => {
    if (stopping) return;
    console.error(`responder ${child.pid} exited (${signal ?? code}): the queue group stops`);
    void stop(1);
  });
  children.push(child);
}
await Promise.all(children.map((child) => once(child, "message")));
console.log(`bench queue group of ${size} listening on ${subject}.> (pid ${process.pid})`);

async function stop(code: number): Promise<void> {
  stopping = true;
  const exits = children
    .filter((child) => child.exitCode === null && child.signalCode === null)
    .map((child) => {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      return exited;
    });
  await Promise.all(exits);
  process.exit(code);
}
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
