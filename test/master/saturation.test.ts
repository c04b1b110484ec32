import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { it } from "node:test";
import { httpGet, startDrover } from "../support/drover.ts";

const APP = `export default (_req: any, res: any) => res.end(String(process.pid));`;

/** A kept-alive connection that has served one request; resolves with the pid that answered. */
function holdConnection(port: number): Promise<{ socket: Socket; pid: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" }, () =>
      socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    );
    let reply = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      reply += chunk;
      const match = reply.match(/\r\n\r\n(\d+)$/);
      if (match) resolve({ socket, pid: Number(match[1]) });
    });
    socket.once("error", reject);
  });
}

it("a child with no idle worker slot takes no new connection until one frees", {
  timeout: 60_000,
}, async () => {
  const drover = await startDrover({
    app: APP,
    config: { startServers: 2, workersPerChild: 2, minSpareWorkers: 1, maxSpareWorkers: 4, serverLimit: 4 },
  });
  const held: Socket[] = [];
  try {
    // Hold connections until one child has both its slots taken.
    const perChild = new Map<number, Socket[]>();
    let full: number | undefined;
    for (let i = 0; i < 12 && full === undefined; i++) {
      const { socket, pid } = await holdConnection(drover.port);
      held.push(socket);
      const sockets = [...(perChild.get(pid) ?? []), socket];
      perChild.set(pid, sockets);
      if (sockets.length === 2) full = pid;
      else if (sockets.length > 2) assert.fail(`child ${pid} took a third connection with two slots`);
    }
    assert.ok(full !== undefined, "no child filled both its slots");
    // Let the other children free the probes' slots between probes: each probe closes its connection.
    for (const socket of held.filter((s) => !perChild.get(full as number)?.includes(s))) socket.destroy();
    for (let i = 0; i < 20; i++) {
      const { body } = await httpGet(drover.port);
      assert.notEqual(Number(body), full, `probe ${i} reached the child with no idle slot`);
    }

    // One of its connections closes: it accepts again.
    perChild.get(full)?.[0]?.destroy();
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) reached = Number((await httpGet(drover.port)).body) === full;
    assert.ok(reached, "the child never accepted again after a slot freed");
  } finally {
    for (const socket of held) socket.destroy();
    await drover.stop();
  }
});
