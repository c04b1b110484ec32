// The slow lane drops requests whose client left, on real node:http servers in this process
// (test/support/lane-server.ts): their handlers never run, the lane counts them, and a connection's
// waiting requests go as soon as it closes rather than one per turn.
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { learnHeavy, pipeline, withLane } from "../support/lane-server.ts";
import type { RawConnection } from "../support/load.ts";

describe("the slow lane sheds what nobody waits for", () => {
  it("never runs the waiting requests of clients that gave up, and counts them", async () => {
    const shed: number[] = [];
    await withLane({ events: { shed: (waiting) => shed.push(waiting) } }, async (server) => {
      const { lane, ran, open } = server;
      await learnHeavy(server);
      const clients = await open(30);
      for (const [index, client] of clients.entries()) client.send(`/heavy?ms=12&n=${index}`);
      // They wait while the lane starts one per turn; then every client gives up at once.
      await waitFor("most of the 30 waiting", () => lane.waiting >= 20, 15_000, 1);
      const waitingWhenGone = lane.waiting;
      for (const client of clients) client.close();
      await waitFor("the lane to empty", () => lane.waiting === 0);
      assert.equal(lane.shed, waitingWhenGone, "every request still waiting was shed");
      assert.equal(shed.length, waitingWhenGone);
      assert.equal(shed.at(-1), 0);
      assert.equal(ran.length, 30 - waitingWhenGone, `handlers that ran: ${ran.join(" ")}`);
    });
  });

  it("drops a closed connection's waiting requests at once, not as their turns come", async () => {
    const waitingAtEachShed: number[] = [];
    await withLane({ events: { shed: (waiting) => waitingAtEachShed.push(waiting) } }, async (server) => {
      const { lane, open } = server;
      await learnHeavy(server);
      const [staying, leaving] = (await open(2)) as [RawConnection, RawConnection];
      pipeline(
        staying,
        Array.from({ length: 10 }, (_, n) => `/heavy?ms=12&n=${n}`),
      );
      pipeline(
        leaving,
        Array.from({ length: 5 }, (_, n) => `/heavy?ms=12&n=${n}`),
      );
      await waitFor("both connections' requests waiting", () => lane.waiting >= 13, 15_000, 1);
      leaving.close();
      await waitFor("the 5 shed", () => lane.shed === 5);
      // Shed one per turn, in turn with the staying connection's, the last would go with at most 5 of
      // the staying connection's requests still waiting; dropped at the close, with 7 or more.
      assert.ok((waitingAtEachShed[4] ?? 0) >= 7, JSON.stringify(waitingAtEachShed));
      for (let n = 0; n < 10; n++) assert.equal((await staying.reply()).status, 200);
    });
  });

  it("does not start a request destroyed before its turn, and closes its connection", async () => {
    let destroyed: IncomingMessage | undefined;
    // Destroyed as it is read: its socket's 'close' comes after the lane's next turn, so the turn sees it.
    const afterServe = (request: IncomingMessage) => {
      if (!request.url?.includes("destroy")) return;
      request.destroy();
      destroyed = request;
    };
    await withLane({ afterServe }, async (server) => {
      const { lane, ran, open } = server;
      await learnHeavy(server);
      const [client] = (await open(1)) as [RawConnection];
      client.send("/heavy?ms=12&n=1&destroy");
      await waitFor("the request shed", () => lane.shed === 1);
      assert.equal(destroyed?.destroyed, true);
      assert.deepEqual(ran, []);
      await waitFor("the client's connection closed", () => client.closed);
    });
  });
});
