// ControlServer.close() ends every client connection, so no client can keep a stopping master alive
// (review D6), and still lets the reply to a request in progress go out, within a bound.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { it } from "node:test";
import type { ControlServer } from "../../src/master/control/control-server.ts";
import { waitFor } from "../harness/wait.ts";
import { connectClient, heldHandler, startTestServer } from "../support/control.ts";

// Long enough that the idle timeout cannot be what closes a connection in these tests.
const NEVER_IDLE = { idleTimeoutMs: 600_000 };

it("close() closes an idle client's connection instead of waiting for the client", async (t) => {
  const { server, path } = await startTestServer(t, undefined, NEVER_IDLE);
  const idle = await connectClient(t, path);
  const partial = await connectClient(t, path);
  partial.send('{"command":');
  await waitFor("both connections counted", () => server.connections === 2);

  await server.close();
  await idle.waitClosed("the idle client closed by close()");
  await partial.waitClosed("the client with half a request closed by close()");
  assert.equal(server.connections, 0);
  assert.equal(existsSync(path), false, "the socket file is removed");
});

it("a request sent just before close() is answered, then its connection is closed", async (t) => {
  const held = heldHandler();
  t.after(held.release);
  const { server, path } = await startTestServer(t, held.handle, NEVER_IDLE);
  const client = await connectClient(t, path);
  client.send('{"id":1,"command":"status"}\n');
  await waitFor("the request reached the handler", () => held.calls() === 1);

  const closing = server.close();
  held.release();
  await closing;
  assert.deepEqual(await client.reply(1), { id: 1, ok: true, request: { command: "status" }, call: 1 });
  await client.waitClosed("the client closed once answered");
});

it("close() gives a request that never finishes a bound, then closes its connection", async (t) => {
  const held = heldHandler();
  t.after(held.release);
  const { server, path } = await startTestServer(t, held.handle, { ...NEVER_IDLE, closeGraceMs: 200 });
  const client = await connectClient(t, path);
  client.send('{"command":"reload"}\n');
  await waitFor("the request reached the handler", () => held.calls() === 1);

  await server.close();
  await client.waitClosed("the client closed after the grace");
  assert.deepEqual(client.replies, [], "no reply was made up");
});

it("a handler that closes the server after answering (the master's stop) gets its reply out", async (t) => {
  let server: ControlServer | undefined;
  const started = await startTestServer(
    t,
    async () => {
      setImmediate(() => void server?.close());
      return { stopping: true };
    },
    NEVER_IDLE,
  );
  server = started.server;
  const client = await connectClient(t, started.path);
  client.send('{"id":"s","command":"stop"}\n');
  assert.deepEqual(await client.reply(1), { id: "s", ok: true, stopping: true });
  await client.waitClosed("the client closed as the server stopped");
  assert.equal(existsSync(started.path), false);
});
