// headersTimeout, keepAliveTimeout and requestTimeout are config fields that work for a plain request
// handler too (drover makes its server): a client that takes too long over its headers gets 408 and
// its connection closed, and an idle keep-alive connection is closed after keepAliveTimeout.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { startDrover } from "../support/drover.ts";
import { RawConnection } from "../support/load.ts";

const APP = "export default (_req: any, res: any) => res.end('ok');";

it("headersTimeout: a client sending its headers too slowly gets 408 and is closed", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: APP, config: { startServers: 1, headersTimeout: "1s" } });
  t.after(() => drover.stop());
  const started = Date.now();
  const reply = await new Promise<string>((resolve) => {
    const socket = connect({ port: drover.port, host: "127.0.0.1" }, () =>
      socket.write("GET / HTTP/1.1\r\nHost: x\r\n"),
    );
    const drip = setInterval(() => socket.write("X-Slow: a\r\n"), 200);
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(drip);
      resolve(text);
    });
  });
  assert.match(reply, /^HTTP\/1\.1 408 /);
  const took = Date.now() - started;
  // Node checks every connectionsCheckingInterval (drover's server: 1 s), so the cut comes within 2 s.
  assert.ok(took >= 1_000 && took < 5_000, `cut after ${took} ms`);
});

it("keepAliveTimeout: an idle keep-alive connection is closed after it", { timeout: 60_000 }, async (t) => {
  const drover = await startDrover({ app: APP, config: { startServers: 1, keepAliveTimeout: "1s" } });
  t.after(() => drover.stop());
  const connection = await RawConnection.open(drover.port);
  t.after(() => connection.close());
  const reply = await connection.get("/");
  assert.equal(reply.status, 200);
  assert.match(reply.headers["keep-alive"] ?? "", /timeout=1/);
  await waitFor("the idle connection closed by the server", () => connection.closed, 5_000);
});
