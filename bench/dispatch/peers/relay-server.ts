// The floor of drover's own design: a relay process that passes each whole frame from its caller to
// one child process over a socketpair (an extra stdio 'pipe'), and the child's answer back; the child
// echoes (relay-child.ts). No header is parsed, nothing decoded, no timer, no bookkeeping: what two
// process hops cost on this machine, beside which drover's master and drone add their work.
import { spawn } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { wholeFrames } from "./whole-frames.ts";

const path = process.argv[2];
if (!path) throw new Error("usage: node relay-server.ts <socket path>");
const child = spawn(process.execPath, [fileURLToPath(new URL("./relay-child.ts", import.meta.url))], {
  stdio: ["ignore", "inherit", "inherit", "pipe"],
});
const pipe = child.stdio[3] as Socket;
let caller: Socket | undefined;
pipe.on(
  "data",
  wholeFrames((frames) => caller?.write(frames)),
);

const server = createServer((socket) => {
  // One caller at a time, the bench's: a relay floor needs no routing.
  caller?.destroy();
  caller = socket;
  socket.on("error", () => socket.destroy());
  socket.on(
    "data",
    wholeFrames((frames) => pipe.write(frames)),
  );
});

server.listen(path, () => console.log(`relay peer listening on ${path} (pid ${process.pid})`));
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    caller?.destroy();
    server.close();
    child.once("exit", () => process.exit(0));
    child.kill("SIGTERM");
  });
}
child.once("exit", (code, signal) => {
  if (!server.listening) return;
  console.error(`relay child exited (${signal ?? code}): the relay stops`);
  process.exit(1);
});
