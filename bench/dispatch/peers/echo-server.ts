// The floor: a bare Unix-socket echo. Each frame comes back as it came, but for its kind byte, turned
// from CALL to RESULT so the same client takes it as an answer (whose value is then the params). No
// header is parsed and no body decoded: only the length prefix is read, to find where frames end.
import { createServer, type Socket } from "node:net";
import { Kind } from "../../../src/dispatch/wire/messages.ts";

const path = process.argv[2];
if (!path) throw new Error("usage: node echo-server.ts <socket path>");
const sockets = new Set<Socket>();

const server = createServer((socket) => {
  sockets.add(socket);
  socket.once("close", () => sockets.delete(socket));
  socket.on("error", () => socket.destroy());
  let pending: Buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let end = 0;
    // u32 length, then u8 kind: see src/dispatch/wire/frames.ts.
    while (pending.length - end >= 5) {
      const size = 4 + pending.readUInt32BE(end);
      if (pending.length - end < size) break;
      pending[end + 4] = Kind.RESULT;
      end += size;
    }
    if (end === 0) return;
    socket.write(pending.subarray(0, end));
    pending = pending.subarray(end);
  });
});

server.listen(path, () => console.log(`echo peer listening on ${path} (pid ${process.pid})`));
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    for (const socket of sockets) socket.destroy();
    server.close(() => process.exit(0));
  });
}
