// Fuzzed callers on one server: random bytes, huge length prefixes, wrong kinds, bad headers, half
// frames, byte-at-a-time writers, duplicate ids, many connections at once. Each bad connection is
// closed (and warned about once), good ones on the same server keep being answered, nothing throws,
// and what the server holds for unfinished frames stays within one frame's limit per connection.
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { connect } from "../../../src/client/index.ts";
import { MAX_HEADER_BYTES, PREFIX_BYTES } from "../../../src/dispatch/wire/frames.ts";
import { Kind } from "../../../src/dispatch/wire/messages.ts";
import { waitFor } from "../../harness/wait.ts";
import { callFrame, decoded, frameOf, type RawClient, rawClient } from "./raw-client.ts";
import { startServer } from "./server.ts";

const LIMIT = 64 * 1024;
const HALF_FRAME_MS = 400;
const SEED = Number(process.env.DROVER_FUZZ_SEED ?? 20261201);

/** mulberry32: the same bytes for the same seed, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A frame whose prefix says what the arguments say, whatever follows. */
function rawFrame(kind: number, header: string | Buffer, bodyBytes = 0, length?: number): Buffer {
  const json = Buffer.isBuffer(header) ? header : Buffer.from(header);
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.writeUInt32BE(length ?? 5 + json.length + bodyBytes, 0);
  prefix.writeUInt8(kind, 4);
  prefix.writeUInt32BE(json.length, 5);
  return Buffer.concat([prefix, json, Buffer.alloc(bodyBytes)]);
}

const BAD_FRAMES: Record<string, Buffer[]> = {
  "huge header length": [Buffer.from([0, 0, 0, 20, Kind.CALL, 0xff, 0xff, 0xff, 0xff])],
  "length shorter than its header": [rawFrame(Kind.CALL, '{"id":1}', 0, 6)],
  "a reply kind from a caller": [frameOf(Kind.RESULT, { id: 1 })],
  "a drone's kind from a caller": [frameOf(Kind.HELLO, { methods: [], idempotent: [] })],
  "an unknown kind": [frameOf(200, { id: 1 })],
  "an unknown kind with a huge length": [rawFrame(201, '{"id":1}', 0, 0xffff_fff0)],
  "a header that is not JSON": [rawFrame(Kind.CALL, "{not json")],
  "a header that is an array": [rawFrame(Kind.CALL, "[1,2]")],
  "a header that is a string": [rawFrame(Kind.CALL, '"call"')],
  "a header that is not UTF-8 JSON": [rawFrame(Kind.CALL, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
  "a CALL without an id": [frameOf(Kind.CALL, { service: "math", method: "add" })],
  "a negative id": [frameOf(Kind.CALL, { id: -1, service: "math", method: "add" })],
  "a fractional id": [frameOf(Kind.CALL, { id: 1.5, service: "math", method: "add" })],
  "an id past 2^48": [frameOf(Kind.CALL, { id: 2 ** 50, service: "math", method: "add" })],
  "a service name with a space": [frameOf(Kind.CALL, { id: 1, service: "ma th", method: "add" })],
  "a method name too long": [frameOf(Kind.CALL, { id: 1, service: "math", method: "m".repeat(129) })],
  "a zero timeout": [frameOf(Kind.CALL, { id: 1, service: "math", method: "add", timeoutMs: 0 })],
  "a timeout that is a string": [
    frameOf(Kind.CALL, { id: 1, service: "math", method: "add", timeoutMs: "5s" }),
  ],
  "a session that is a number": [frameOf(Kind.CALL, { id: 1, service: "math", method: "add", session: 5 })],
  "an OPEN without a service": [frameOf(Kind.OPEN, { id: 1 })],
  "a CLOSE without a session": [frameOf(Kind.CLOSE, { id: 1 })],
  "a CANCEL with a body": [frameOf(Kind.CANCEL, { id: 1 }, Buffer.from("x"))],
  "a duplicate id in flight": [callFrame(1, "never"), callFrame(1, "add", { a: 1, b: 1 })],
  "a duplicate id across kinds": [callFrame(1, "never"), frameOf(Kind.OPEN, { id: 1, service: "math" })],
  "a good call, then garbage": [callFrame(1, "add", { a: 1, b: 1 }), Buffer.from("garbage!!garbage!!")],
  "a half frame left idle": [callFrame(1, "add", { a: 1, b: 1 }).subarray(0, 12)],
  "a huge oversized body left idle": [
    rawFrame(Kind.CALL, '{"id":1,"service":"math","method":"echo"}', 0, 0xffff_fff0),
  ],
};

it("fuzzed connections are each closed, once warned; good ones on the same server keep working", {
  timeout: 60_000,
}, async (t) => {
  const { path, server, dispatcher, warnings } = await startServer(t, { halfFrameTimeoutMs: HALF_FRAME_MS });
  dispatcher.limit = LIMIT;
  const next = random(SEED);

  // A good caller that calls on throughout, and a good raw caller that stays connected.
  const client = await connect({ socket: path, timeout: "10s" });
  t.after(() => client.close());
  const math = client.service("math");
  let goodCalls = 0;
  let fuzzing = true;
  const goodLoop = (async () => {
    while (fuzzing) {
      const a = Math.floor(next() * 1000);
      assert.equal(await math.call("add", { a, b: 1 }), a + 1);
      goodCalls++;
      await delay(5);
    }
  })();
  const steady = await rawClient(t, path);

  const bad: RawClient[] = [];
  const open = async (bytes: Buffer[]) => {
    const raw = await rawClient(t, path);
    raw.send(bytes);
    bad.push(raw);
  };
  for (const bytes of Object.values(BAD_FRAMES)) await open(bytes);
  for (let index = 0; index < 40; index++) {
    const bytes = Buffer.alloc(1 + Math.floor(next() * 4096));
    for (let at = 0; at < bytes.length; at++) bytes[at] = Math.floor(next() * 256);
    await open([bytes]);
  }
  // A slow byte-at-a-time writer of a half frame: bytes arrive, the frame never completes.
  const dribbler = await rawClient(t, path);
  const half = callFrame(2, "add", { a: 1, b: 2 }).subarray(0, 30);
  for (const byte of half) {
    dribbler.send(Buffer.from([byte]));
    await delay(2);
  }
  bad.push(dribbler);
  // Half frames, then the caller closes: nothing is held for them afterwards.
  const quitters: RawClient[] = [];
  for (let index = 0; index < 10; index++) {
    const raw = await rawClient(t, path);
    raw.send(callFrame(index, "add", { a: 1, b: 1 }).subarray(0, 1 + index * 3));
    quitters.push(raw);
  }

  let maxBuffered = 0;
  const bound = (LIMIT + MAX_HEADER_BYTES + PREFIX_BYTES) * server.connections;
  const sampler = setInterval(() => {
    maxBuffered = Math.max(maxBuffered, server.bufferedBytes);
  }, 5);
  t.after(() => clearInterval(sampler));
  for (const raw of quitters) raw.socket.destroy();

  await waitFor(
    `every bad connection closed by the server (seed ${SEED})`,
    () => bad.every((raw) => raw.closed()),
    20_000,
  );
  steady.call(5, "add", { a: 20, b: 22 });
  assert.equal(decoded(await steady.waitForFrame(5)), 42);
  fuzzing = false;
  await goodLoop;
  clearInterval(sampler);

  assert.ok(goodCalls > 0, "the good caller was answered while the fuzzing went on");
  assert.equal(steady.closed(), false);
  assert.equal(warnings.length, bad.length, `one warning per bad connection (seed ${SEED})`);
  for (const warning of warnings) assert.equal(typeof warning.fields.reason, "string");
  assert.ok(maxBuffered <= bound, `held ${maxBuffered} bytes for unfinished frames, over ${bound}`);
  await waitFor("only the good connections left", () => server.connections === 2);
  assert.equal(server.bufferedBytes, 0);
});

it("a byte-at-a-time writer of good frames is answered", { timeout: 30_000 }, async (t) => {
  const { path } = await startServer(t, { halfFrameTimeoutMs: 2_000 });
  const raw = await rawClient(t, path);
  const bytes = Buffer.concat([
    callFrame(1, "add", { a: 1, b: 2 }),
    frameOf(Kind.OPEN, { id: 2, service: "math" }),
  ]);
  for (const byte of bytes) {
    raw.send(Buffer.from([byte]));
    await delay(1);
  }
  assert.equal(decoded(await raw.waitForFrame(1)), 3);
  assert.equal((await raw.waitForFrame(2)).kind, Kind.OPENED);
  assert.equal(raw.closed(), false);
});

it("an oversized body streams past without being held, then is refused", { timeout: 30_000 }, async (t) => {
  const { path, server, dispatcher } = await startServer(t);
  dispatcher.limit = LIMIT;
  const raw = await rawClient(t, path);
  const body = 32 * 1024 * 1024;
  const header = '{"id":1,"service":"math","method":"echo"}';
  raw.send(rawFrame(Kind.CALL, header, 0, 5 + header.length + body));
  let maxBuffered = 0;
  const chunk = Buffer.alloc(1024 * 1024);
  for (let sent = 0; sent < body; sent += chunk.length) {
    if (!raw.socket.write(chunk)) await new Promise((resolve) => raw.socket.once("drain", resolve));
    maxBuffered = Math.max(maxBuffered, server.bufferedBytes);
  }
  raw.call(2, "add", { a: 2, b: 2 });
  assert.equal((await raw.waitForFrame(1)).header.code, "DROVER_ERR_MESSAGE_TOO_LARGE");
  assert.equal(decoded(await raw.waitForFrame(2)), 4);
  assert.ok(maxBuffered < 1024 * 1024, `held ${maxBuffered} bytes of a body it refuses`);
});

it("many connections at once are each answered", { timeout: 30_000 }, async (t) => {
  const { path, server } = await startServer(t);
  const clients = await Promise.all(Array.from({ length: 200 }, () => rawClient(t, path)));
  for (const [index, raw] of clients.entries()) raw.call(index, "add", { a: index, b: 1 });
  const answers = await Promise.all(clients.map((raw, index) => raw.waitForFrame(index)));
  assert.deepEqual(
    answers.map((frame) => decoded(frame)),
    clients.map((_, index) => index + 1),
  );
  assert.equal(server.connections, 200);
  for (const raw of clients) raw.socket.destroy();
  await waitFor("every connection gone", () => server.connections === 0);
});
