// Drains respect long connections (review D10): an upgraded connection (a WebSocket) is busy, not idle,
// so a reload does not cut it after a second; an event stream and a WebSocket are ended at drainTimeout;
// and the app hears the drain begin (its drain signal) so it can close them cleanly itself.
import assert from "node:assert/strict";
import { get } from "node:http";
import { connect, type Socket } from "node:net";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { startDrover } from "../support/drover.ts";

const APP = fileURLToPath(new URL("fixtures/long-lived.ts", import.meta.url));
const POOL = { startServers: 1, workersPerChild: 8, minSpareWorkers: 1, logLevel: "debug" };

/** An upgraded echo connection: resolves once the 101 and the child's pid have come. */
function upgrade(
  port: number,
): Promise<{ socket: Socket; pid: number; echoes: () => number; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" }, () =>
      socket.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"),
    );
    let text = "";
    let closed = false;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      const pid = /pid (\d+)\n/.exec(text)?.[1];
      if (pid)
        resolve({
          socket,
          pid: Number(pid),
          echoes: () => text.split("ping").length - 1,
          closed: () => closed,
        });
    });
    socket.on("close", () => {
      closed = true;
    });
    socket.once("error", reject);
  });
}

/** An event stream: what it has received so far, and whether it ended. */
function events(port: number, path: string) {
  let text = "";
  let ended = false;
  const request = get({ host: "127.0.0.1", port, path, agent: false }, (response) => {
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => (text += chunk));
    response.on("end", () => (ended = true));
    response.on("error", () => (ended = true));
  });
  request.on("error", () => (ended = true));
  return { text: () => text, ended: () => ended, close: () => request.destroy() };
}

it("a WebSocket is busy through a reload's drain, and ended at drainTimeout", {
  timeout: 90_000,
}, async (t) => {
  // drainTimeout well past what seeing the drain (a status poll) can take on a loaded machine.
  const drover = await startDrover({ app: "", config: { app: APP, ...POOL, drainTimeout: "8s" } });
  t.after(() => drover.stop());
  const ws = await upgrade(drover.port);
  t.after(() => ws.socket.destroy());
  const ping = setInterval(() => ws.socket.write("ping"), 100);
  t.after(() => clearInterval(ping));
  const started = Date.now();
  const reload = await drover.cli("reload");
  assert.equal(reload.status, 0, reload.stderr);
  await waitFor("the old child to drain", async () =>
    (await drover.status()).children.some((c) => c.pid === ws.pid && c.quiescing),
  );
  // Well past the second after which an idle connection is closed: still open, still echoing. (Timed
  // from the drain seen, not the reload asked: a reload on a loaded machine can take seconds.)
  const draining = Date.now();
  const echoesAt = ws.echoes();
  await waitFor(
    "an echo 1.5 s into the drain",
    () => ws.closed() || (Date.now() - draining > 1_500 && ws.echoes() > echoesAt),
  );
  assert.equal(ws.closed(), false, "the upgraded connection was cut as if it were idle");
  await waitFor("the drain's deadline to close it", () => ws.closed(), 15_000);
  assert.ok(Date.now() - started >= 7_500, "closed at drainTimeout, not before");
  await waitForPidsGone([ws.pid], 10_000);
  assert.match(drover.proc.output(), /the drain's deadline passed: closing the connections left/);
});

it("the app's drain signal lets it end an event stream cleanly; one it ignores ends at drainTimeout", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startDrover({ app: "", config: { app: APP, ...POOL, drainTimeout: "5s" } });
  t.after(() => drover.stop());
  const polite = events(drover.port, "/events");
  const rude = events(drover.port, "/stream");
  t.after(() => {
    polite.close();
    rude.close();
  });
  await waitFor("both streams flowing", () => polite.text().includes("tick") && rude.text().includes("tick"));
  const started = Date.now();
  assert.equal((await drover.cli("reload")).status, 0);
  await waitFor("the polite stream to end", () => polite.ended(), 10_000);
  assert.match(polite.text(), /event: bye\ndata: draining/, "the app closed it on its drain signal");
  // At once, not at the deadline: the stream the app ignores is still open. (No wall-clock bound on
  // the polite one: a reload on a loaded machine can take seconds before the drain begins.)
  assert.equal(rude.ended(), false);
  await waitFor("the ignored stream to be ended at drainTimeout", () => rude.ended(), 15_000);
  assert.ok(Date.now() - started >= 4_500, "not before drainTimeout");
});
