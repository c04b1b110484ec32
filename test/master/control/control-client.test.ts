// sendControl: sends an id and takes only the reply that carries it (or none: a refusal of the
// connection); says "not running" only when nothing listens.
import assert from "node:assert/strict";
import { linkSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { it } from "node:test";
import { isDroverError } from "../../../src/errors.ts";
import { sendControl } from "../../../src/master/control/control-client.ts";
import { makeTempDir } from "../../harness/temp.ts";
import { connectClient, startTestServer } from "../../support/control.ts";

/** A stand-in for a master that answers each line with `answer(line)`: what the client gets is the test. */
async function rawServer(t: it.TestContext, answer: (line: string) => string) {
  const dir = makeTempDir("drover-test-control-");
  const path = join(dir.path, "control.sock");
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding("utf8");
    socket.on("error", () => {});
    socket.on("data", (chunk: string) => {
      const line = chunk.slice(0, chunk.indexOf("\n"));
      lines.push(line);
      socket.write(answer(line));
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    dir.remove();
  });
  return { path, lines };
}

it("sends an id with each request and takes the reply that carries it", async (t) => {
  const { path, lines } = await rawServer(t, (line) => {
    const { id } = JSON.parse(line) as { id: unknown };
    return `${JSON.stringify({ id, ok: true, generation: 3 })}\n`;
  });
  const first = await sendControl(path, { command: "reload" }, 10_000);
  const second = await sendControl(path, { command: "status" }, 10_000);
  assert.equal(first.ok, true);
  assert.equal(first.generation, 3);
  assert.equal(second.ok, true);
  const sent = lines.map((line) => JSON.parse(line) as { id: unknown; command: string });
  assert.deepEqual(
    sent.map((request) => request.command),
    ["reload", "status"],
  );
  assert.ok(sent.every((request) => Number.isSafeInteger(request.id)));
  assert.notEqual(sent[0]?.id, sent[1]?.id, "each request its own id");
});

it("a reply to another id, or one that is not JSON, is DROVER_ERR_CONTROL_BAD_REPLY", async (t) => {
  for (const answer of [
    () => `${JSON.stringify({ id: "someone else's", ok: true })}\n`,
    () => "HTTP/1.1 400 Bad Request\n",
    () => "[1,2]\n",
  ]) {
    const { path } = await rawServer(t, answer);
    await assert.rejects(
      sendControl(path, { command: "status" }, 10_000),
      (error) =>
        isDroverError(error, "DROVER_ERR_CONTROL_BAD_REPLY") && /not a drover master/.test(error.message),
      answer(),
    );
  }
});

it("a refusal of the connection (no id) is the reply", async (t) => {
  const { path } = await startTestServer(t, undefined, { maxConnections: 1 });
  const holder = await connectClient(t, path);
  holder.send('{"command":"status"}\n');
  await holder.reply(1);
  const reply = await sendControl(path, { command: "status" }, 10_000);
  assert.equal(reply.ok, false);
  assert.equal(!reply.ok && reply.error.code, "DROVER_ERR_CONTROL_BUSY");
});

it("no socket, or a socket nobody listens on, is DROVER_ERR_NOT_RUNNING", async (t) => {
  const dir = makeTempDir("drover-test-control-");
  t.after(dir.remove);
  await assert.rejects(sendControl(join(dir.path, "none.sock"), { command: "status" }, 10_000), (error) =>
    isDroverError(error, "DROVER_ERR_NOT_RUNNING"),
  );
  // A second name for a socket outlives its server: connecting to it is refused.
  const { server, path } = await startTestServer(t);
  const stale = join(dir.path, "stale.sock");
  linkSync(path, stale);
  await server.close();
  await assert.rejects(
    sendControl(stale, { command: "status" }, 10_000),
    (error) => isDroverError(error, "DROVER_ERR_NOT_RUNNING") && /ECONNREFUSED/.test(error.message),
  );
});
