// A request's id comes back in its reply (review D24); an id that is not a string or a safe integer is
// refused; a client that ends its side after its request still gets the reply.
import assert from "node:assert/strict";
import { it } from "node:test";
import { parseRequest } from "../../src/master/control/control-server.ts";
import { BAD_REQUEST, connectClient, startTestServer } from "../support/control.ts";

it("a reply carries its request's id, first, refusals included; no id, no id", async (t) => {
  const { path } = await startTestServer(t);
  const client = await connectClient(t, path);
  const exchanges: [string, Record<string, unknown>][] = [
    ['{"id":7,"command":"status"}', { id: 7, ok: true, request: { command: "status" } }],
    ['{"command":"status","id":"a-1"}', { id: "a-1", ok: true, request: { command: "status" } }],
    [
      '{"id":-9007199254740991,"command":"reload"}',
      { id: -9007199254740991, ok: true, request: { command: "reload" } },
    ],
    ['{"command":"status"}', { ok: true, request: { command: "status" } }],
  ];
  let n = 0;
  for (const [line, expected] of exchanges) {
    client.send(`${line}\n`);
    const reply = await client.reply(++n);
    assert.deepEqual(reply, expected, line);
    if ("id" in expected) assert.equal(Object.keys(reply)[0], "id", `${line}: id comes first`);
  }
  client.send('{"id":8,"command":"explode"}\n');
  const refused = (await client.reply(++n)) as { id: unknown; ok: boolean; error: { code: string } };
  assert.equal(refused.id, 8);
  assert.equal(refused.ok, false);
  assert.equal(refused.error.code, BAD_REQUEST);
});

it("an id that is not a string or a safe integer is refused, and not echoed", async (t) => {
  const { path } = await startTestServer(t);
  const client = await connectClient(t, path);
  const badIds = ["1.5", "9007199254740992", "1e300", "null", "true", "{}", "[1]"];
  let n = 0;
  for (const id of badIds) {
    client.send(`{"id":${id},"command":"stop"}\n`);
    const reply = (await client.reply(++n)) as { ok: boolean; error: { code: string; message: string } };
    assert.equal(reply.ok, false, id);
    assert.equal(reply.error.code, BAD_REQUEST, id);
    assert.match(reply.error.message, /id must be a string or a safe integer/, id);
    assert.equal("id" in reply, false, `${id}: not echoed`);
    assert.equal(
      typeof parseRequest(`{"id":${id},"command":"stop"}`),
      "string",
      `${id}: parseRequest refuses it`,
    );
  }
  assert.deepEqual(parseRequest('{"id":3,"command":"stop","graceful":true}'), {
    command: "stop",
    graceful: true,
  });
  assert.equal(typeof parseRequest('{"__proto__":{"command":"stop"}}'), "string");
  assert.equal(typeof parseRequest('{"command":"toString"}'), "string");
});

it("a client that ends its side after sending its request still gets the reply", async (t) => {
  const { path } = await startTestServer(t);
  const client = await connectClient(t, path, { allowHalfOpen: true });
  client.socket.end('{"id":1,"command":"status"}\n');
  assert.deepEqual(await client.reply(1), { id: 1, ok: true, request: { command: "status" } });
  await client.waitClosed("the connection closed after the reply");
});
