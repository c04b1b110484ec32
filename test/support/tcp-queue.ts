// What the kernel holds for a process that has not read it yet: the receive queue of the server's end
// of a loopback TCP connection, from /proc/net/tcp. A test that must know a request reached a child
// whose event loop is busy (so it cannot say so itself) waits for it here.
import { readFileSync } from "node:fs";

/**
 * Bytes waiting, unread, at the server's end of the IPv4 connection between `serverPort` and the client
 * port `clientPort` on this machine; undefined when there is no such connection.
 */
export function unreadAtServer(serverPort: number, clientPort: number): number | undefined {
  const port = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const [, local = "", remote = "", , queues = ""] = line.trim().split(/\s+/);
    if (local.endsWith(`:${port(serverPort)}`) && remote.endsWith(`:${port(clientPort)}`))
      return Number.parseInt(queues.split(":")[1] ?? "0", 16);
  }
  return undefined;
}
