// What one control client can hold is bounded (chaos D8, review D24): silent connections time out, the
// number of connections is capped, pipelined requests are capped, a reply the client does not read is
// given up, and an over-long line ends the connection.
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { BAD_REQUEST, connectClient, heldHandler, startTestServer } from "../support/control.ts";

const STATUS = '{"command":"status"}\n';

it("a connection with no request in progress times out; one waiting for a long reply does not", async (t) => {
  const held = heldHandler();
  t.after(held.release);
  const { path } = await startTestServer(t, held.handle, { idleTimeoutMs: 300 });
  const waiting = await connectClient(t, path);
  waiting.send('{"id":1,"command":"reload"}\n');
  await waitFor("the long request reached the handler", () => held.calls() === 1);

  // Connected after the long request began, so their timing out shows the timeout has passed for it too.
  const silent = await connectClient(t, path);
  const trickling = await connectClient(t, path);
  trickling.send('{"command":');
  await silent.waitClosed("the silent connection timed out");
  await trickling.waitClosed("the connection with half a request timed out");
  assert.equal(waiting.closed(), false, "a connection waiting for its reply is not idle");

  held.release();
  assert.equal((await waiting.reply(1)).id, 1);
  await waiting.waitClosed("idle again once answered, it times out in turn");
});

it("connections past the cap are refused with DROVER_ERR_CONTROL_BUSY; the others are served", async (t) => {
  const { server, path } = await startTestServer(t, undefined, { maxConnections: 3 });
  const served = [];
  for (let i = 0; i < 3; i++) {
    const client = await connectClient(t, path);
    client.send(STATUS);
    assert.equal((await client.reply(1)).ok, true);
    served.push(client);
  }
  const extra = await connectClient(t, path);
  const refusal = (await extra.reply(1)) as { ok: boolean; error: { code: string; message: string } };
  assert.equal(refusal.ok, false);
  assert.equal(refusal.error.code, "DROVER_ERR_CONTROL_BUSY");
  assert.match(refusal.error.message, /3 connections/);
  await extra.waitClosed("the refused connection closed");

  for (const client of served) client.send(STATUS);
  for (const client of served) assert.equal((await client.reply(2)).ok, true);
  // Room again once one goes.
  served[0]?.socket.destroy();
  await waitFor("the closed client no longer counted", () => server.connections === 2);
  const next = await connectClient(t, path);
  next.send(STATUS);
  assert.equal((await next.reply(1)).ok, true);
});

it("a client that pipelines past the queue bound is told why and disconnected", async (t) => {
  const held = heldHandler();
  t.after(held.release);
  const { path } = await startTestServer(t, held.handle, { maxQueued: 16 });
  const client = await connectClient(t, path);
  client.send(STATUS.repeat(100));
  const refusal = (await client.reply(1)) as { ok: boolean; error: { code: string; message: string } };
  assert.equal(refusal.ok, false);
  assert.equal(refusal.error.code, BAD_REQUEST);
  assert.match(refusal.error.message, /one request at a time/);
  await client.waitClosed("the pipelining client disconnected");
  held.release();
  assert.ok(held.calls() <= 1, `the queued requests were dropped, not answered (${held.calls()} calls)`);
});

it("pipelined requests within the bound are answered in order, one at a time", async (t) => {
  const held = heldHandler();
  t.after(held.release);
  const { path } = await startTestServer(t, held.handle);
  const client = await connectClient(t, path);
  client.send([1, 2, 3, 4].map((id) => `{"id":${id},"command":"status"}\n`).join(""));
  await waitFor("the first request reached the handler", () => held.calls() >= 1);
  held.release();
  await client.reply(4);
  assert.deepEqual(
    client.replies.map((reply) => [reply.id, reply.call]),
    [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ],
  );
  assert.equal(held.mostAtOnce(), 1, "never two requests of one connection at once");
});

it("an over-long line is refused and the connection destroyed, however much more the client sends", async (t) => {
  const { server, path } = await startTestServer(t);
  // Half-open allowed: only the server destroying the connection can close it.
  const client = await connectClient(t, path, { allowHalfOpen: true });
  client.send("x".repeat(100 * 1024));
  const refusal = (await client.reply(1)) as { ok: boolean; error: { code: string; message: string } };
  assert.equal(refusal.error.code, BAD_REQUEST);
  assert.match(refusal.error.message, /64 KiB/);
  await waitFor("the connection destroyed while the client keeps sending", () => {
    if (!client.closed()) client.send("x".repeat(1024));
    return client.closed();
  });
  await waitFor("the server dropped the connection", () => server.connections === 0);
});

it("a reply the client never reads gets the connection destroyed after the write bound", async (t) => {
  const huge = "x".repeat(16 * 1024 * 1024);
  const { server, path } = await startTestServer(t, async () => ({ huge }), { writeTimeoutMs: 300 });
  const client = await connectClient(t, path);
  client.socket.pause();
  client.send(STATUS);
  await waitFor("the server gave the unread reply up", () => server.connections === 0);
  // What had reached the client's buffers arrives, then the end: never the whole reply.
  client.socket.resume();
  await client.waitClosed("the client sees the connection closed");
  assert.deepEqual(client.replies, []);
});
