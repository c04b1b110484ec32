// A free TCP port on loopback, found by binding port 0 and closing again. Another process could take it
// in between; on this machine that race has not been seen, and a failed start would say so.
import { createServer } from "node:net";

/** Asks the kernel for an unused port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
