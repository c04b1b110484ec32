// Values cross the socket as v8 serializes them: a Buffer comes back a Buffer, a Uint8Array a
// Uint8Array, 16 MiB whole, and types JSON has not (Map, Date, BigInt, undefined) as themselves.
import assert from "node:assert/strict";
import { it } from "node:test";
import { connect } from "../../src/client/index.ts";
import { startServer } from "../transports/embedded/server.ts";

it("16 MiB goes there and back whole, a Buffer staying a Buffer", { timeout: 60_000 }, async (t) => {
  const { path } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const math = client.service("math");
  const big = Buffer.alloc(16 * 1024 * 1024);
  for (let at = 0; at < big.length; at += 4096) big.writeUInt32BE(at, at);
  const [back, size] = await Promise.all([math.call("echo", big), math.call("size", big)]);
  assert.ok(Buffer.isBuffer(back));
  assert.equal((back as Buffer).length, big.length);
  assert.ok((back as Buffer).equals(big));
  assert.ok((size as number) > big.length, "the params reached the master as one 16 MiB message");
});

it("binary and JSON-less values keep their types", async (t) => {
  const { path } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const math = client.service("math");
  const bytes = new Uint8Array([0, 1, 254, 255]);
  const value = {
    buffer: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    bytes,
    map: new Map([["a", 1]]),
    date: new Date(0),
    big: 2n ** 70n,
    nothing: undefined,
    text: "ünïcode ✓",
  };
  const back = (await math.call("echo", value)) as typeof value;
  assert.ok(Buffer.isBuffer(back.buffer));
  assert.deepEqual([...back.buffer], [0xde, 0xad, 0xbe, 0xef]);
  assert.equal(Object.getPrototypeOf(back.bytes), Uint8Array.prototype);
  assert.deepEqual(back.bytes, bytes);
  assert.deepEqual(back.map, value.map);
  assert.deepEqual(back.date, value.date);
  assert.equal(back.big, value.big);
  assert.ok("nothing" in back);
  assert.equal(back.text, value.text);
  assert.equal(await math.call("echo", undefined), undefined);
});

it("many calls in flight on one connection each get their own answer", async (t) => {
  const { path } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const math = client.service("math");
  const sums = await Promise.all(Array.from({ length: 500 }, (_, a) => math.call("add", { a, b: 1000 })));
  assert.deepEqual(
    sums,
    Array.from({ length: 500 }, (_, a) => a + 1000),
  );
});
