// The floor: a bare Unix-socket echo. Each frame comes back as it came, but for its kind byte, turned
// from CALL to RESULT so the same client takes it as an answer (whose value is then the params).
import { createServer, type Socket } from "node:net";
import { answerInPlace, wholeFrames } from "./whole-frames.ts";

const path = process.argv[2];
if (!path) throw new Error("usage: node echo-server.ts <socket path>");
const sockets = new Set<Socket>();

const server = createServer((socket) => {
  sockets.add(socket);
  socket.once("close", () => sockets.delete(socket));
  socket.on("error", () => socket.destroy());
  socket.on(
    "data",
    wholeFrames((frames) => socket.write(answerInPlace(frames))),
  );
});

server.listen(path, () => console.log(`echo peer listening on ${path} (pid ${process.pid})`));
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    for (const socket of sockets) socket.destroy();
    server.close(() => process.exit(0));
  });
}
