// The worker slots write the scoreboard's request times from the wall clock, as every other record of
// the board is written: a clock stepped after a child started (NTP at boot, a VM resumed) must not leave
// that child's times off by the step. Date is mocked to stand for the stepped clock; the server, the
// connection and the shared memory are real.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it, mock } from "node:test";
import { WorkerSlots } from "../../src/child/accept/worker-slots.ts";
import { Scoreboard } from "../../src/scoreboard/index.ts";
import { testShmName } from "../harness/temp.ts";

describe("the worker slots' times", () => {
  it("follow the wall clock after it was stepped", async (t) => {
    const scoreboard = Scoreboard.create({
      name: testShmName("slots-clock"),
      serverLimit: 1,
      workerLimit: 2,
    });
    t.after(() => scoreboard.close());
    scoreboard.master.setGeneration(1, Date.now());
    scoreboard.master.prepareSlot(0, 1, 2, Date.now());
    scoreboard.processWriter(0).claim(process.pid, Date.now());
    const slots = new WorkerSlots(scoreboard, 0, 2, true);
    const server = createServer({ keepAlive: false }, (request, response) => {
      slots.requestStarted(request, response);
      response.once("finish", () => slots.requestFinished(response, request.socket));
      response.end("ok");
    });
    server.on("connection", (socket) => slots.connected(socket));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    t.after(() => {
      server.closeAllConnections();
      server.close();
    });
    slots.ready();

    const stepped = Date.now() - 3_600_000; // the clock was set back an hour since the process started
    mock.timers.enable({ apis: ["Date"], now: stepped });
    t.after(() => mock.timers.reset());
    const { port } = server.address() as AddressInfo;
    const reply = httpRequest({ host: "127.0.0.1", port, path: "/stepped", agent: false });
    reply.end();
    const [response] = (await once(reply, "response")) as [NodeJS.ReadableStream];
    response.resume();
    await once(response, "end");

    const worker = scoreboard
      .snapshot()
      .processes[0]?.workers.find((record) => record.request === "GET /stepped");
    assert.ok(worker, "the request is on the board");
    assert.equal(worker.requestStart, stepped);
    assert.equal(worker.lastUsed, stepped);
  });
});
