// What the server does with well-formed frames: each CALL, OPEN and CLOSE goes to the dispatcher and
// its first answer comes back once; CANCEL and a closed connection abort calls; an oversized CALL is
// refused with MESSAGE_TOO_LARGE and the connection lives on.
import assert from "node:assert/strict";
import { it } from "node:test";
import { serialize } from "node:v8";
import { MAX_HEADER_BYTES } from "../../../src/dispatch/wire/frames.ts";
import { isValidHeader, Kind, REPLY_KINDS } from "../../../src/dispatch/wire/messages.ts";
import { ErrorCode } from "../../../src/errors.ts";
import { waitFor } from "../../harness/wait.ts";
import { decoded, frameOf, rawClient } from "./raw-client.ts";
import { startServer } from "./server.ts";

it("answers CALL with RESULT, and OPEN, CLOSE with OPENED, CLOSED", async (t) => {
  const { path } = await startServer(t);
  const client = await rawClient(t, path);
  client.call(1, "add", { a: 2, b: 5 });
  client.send(frameOf(Kind.OPEN, { id: 2, service: "math" }));
  const result = await client.waitForFrame(1);
  assert.equal(result.kind, Kind.RESULT);
  assert.equal(decoded(result), 7);
  const opened = await client.waitForFrame(2);
  assert.equal(opened.kind, Kind.OPENED);
  const session = opened.header.session as string;
  client.call(3, "count", undefined, { session });
  assert.equal(decoded(await client.waitForFrame(3)), 1);
  client.send(frameOf(Kind.CLOSE, { id: 4, session }));
  assert.equal((await client.waitForFrame(4)).kind, Kind.CLOSED);
  assert.equal(client.closed(), false);
});

it("writes only the first answer to a call, and none once its caller is gone", async (t) => {
  const { path, dispatcher } = await startServer(t);
  const client = await rawClient(t, path);
  client.call(1, "hold");
  await waitFor("the held call", () => dispatcher.held.length === 1);
  const reply = dispatcher.held[0];
  assert.ok(reply);
  reply.ok(serialize("first"));
  reply.fail(ErrorCode.METHOD_FAILED, "second");
  reply.ok(serialize("third"));
  // A call after them: its reply comes after anything the answers above could have written.
  client.call(2, "add", { a: 1, b: 1 });
  await client.waitForFrame(2);
  assert.deepEqual(
    client.frames.map((frame) => [frame.header.id, frame.kind]),
    [
      [1, Kind.RESULT],
      [2, Kind.RESULT],
    ],
  );
  assert.equal(decoded(client.frames[0] as never), "first");

  client.call(3, "hold");
  await waitFor("the second held call", () => dispatcher.held.length === 2);
  client.socket.destroy();
  await waitFor("the held call aborted", () => dispatcher.aborted.length === 1);
  assert.match(dispatcher.aborted[0] as string, /caller is gone/);
  // Answering a call whose caller is gone writes nothing and throws nothing.
  dispatcher.held[1]?.ok(serialize("late"));
});

it("CANCEL aborts the call's signal; the dispatcher's answer to it is still written once", async (t) => {
  const { path, dispatcher } = await startServer(t);
  const client = await rawClient(t, path);
  client.call(7, "slow", { ms: 60_000 });
  await waitFor("the slow call", () => dispatcher.calls.get("slow") === 1);
  client.send(frameOf(Kind.CANCEL, { id: 7 }));
  client.send(frameOf(Kind.CANCEL, { id: 7 }));
  client.send(frameOf(Kind.CANCEL, { id: 99 }));
  const reply = await client.waitForFrame(7);
  assert.equal(reply.kind, Kind.ERROR);
  assert.equal(reply.header.code, ErrorCode.DISPATCH_CANCELLED);
  assert.deepEqual(dispatcher.aborted, ["the caller cancelled the call"]);
  // The id is free again once answered.
  client.call(7, "add", { a: 3, b: 4 });
  await waitFor("the second call with id 7", () => client.frames.length === 2);
  assert.equal(decoded(client.frames[1] as never), 7);
});

it("refuses a CALL over the body limit with MESSAGE_TOO_LARGE, naming both sizes, and reads on", async (t) => {
  const { path, dispatcher } = await startServer(t);
  dispatcher.limit = 1024;
  const client = await rawClient(t, path);
  client.call(1, "echo", Buffer.alloc(5000));
  client.call(2, "add", { a: 1, b: 2 });
  const refused = await client.waitForFrame(1);
  assert.equal(refused.kind, Kind.ERROR);
  assert.equal(refused.header.code, ErrorCode.MESSAGE_TOO_LARGE);
  assert.match(refused.header.message as string, /math\.echo are 50\d\d bytes, over the 1024 bytes/);
  assert.match(refused.header.message as string, /maxMessageBytes/);
  assert.equal(decoded(await client.waitForFrame(2)), 3);
  assert.equal(dispatcher.calls.get("echo"), undefined, "the oversized call never reached the dispatcher");
  assert.equal(client.closed(), false);
});

it("cuts an error's message and stack to fit a header; the client can read it", async (t) => {
  const { path, dispatcher } = await startServer(t);
  const client = await rawClient(t, path);
  client.call(1, "hold");
  await waitFor("the held call", () => dispatcher.held.length === 1);
  dispatcher.held[0]?.fail(ErrorCode.METHOD_FAILED, "m".repeat(200_000), {
    remote: { name: "Error", message: "\u0001".repeat(100_000), stack: "s".repeat(1_000_000) },
    methods: Array.from({ length: 5000 }, (_, index) => `method${index}`),
  });
  const reply = await client.waitForFrame(1);
  assert.ok(Buffer.byteLength(JSON.stringify(reply.header)) <= MAX_HEADER_BYTES);
  assert.ok(isValidHeader(reply.kind, reply.header, REPLY_KINDS));
  assert.match(reply.header.message as string, /^m+… \(\d+ characters cut\)$/);
});

it("a dispatcher that throws answers its call with DROVER_ERR_INTERNAL and is logged", async (t) => {
  const { path, dispatcher, warnings } = await startServer(t);
  dispatcher.call = () => {
    throw new Error("dispatcher bug");
  };
  const client = await rawClient(t, path);
  client.call(1, "add", { a: 1, b: 1 });
  const reply = await client.waitForFrame(1);
  assert.equal(reply.header.code, ErrorCode.INTERNAL);
  assert.match(reply.header.message as string, /dispatcher bug/);
  assert.equal(warnings.length, 1);
  assert.equal(client.closed(), false);
});

it("close() aborts the calls in flight and ends every connection", async (t) => {
  const { path, server, dispatcher } = await startServer(t);
  const clients = await Promise.all([rawClient(t, path), rawClient(t, path), rawClient(t, path)]);
  for (const client of clients) client.call(1, "never");
  await waitFor(
    "three connections and calls",
    () => server.connections === 3 && dispatcher.calls.get("never") === 3,
  );
  await server.close();
  assert.equal(server.connections, 0);
  assert.equal(dispatcher.aborted.length, 3);
  for (const client of clients) await client.waitForClose();
});

it("the sessions a caller opened and did not close are closed when it goes away", async (t) => {
  const { path, dispatcher } = await startServer(t);
  const client = await rawClient(t, path);
  client.send(frameOf(Kind.OPEN, { id: 1, service: "math" }));
  client.send(frameOf(Kind.OPEN, { id: 2, service: "math" }));
  const [first, second] = [
    (await client.waitForFrame(1)).header.session as string,
    (await client.waitForFrame(2)).header.session as string,
  ];
  client.send(frameOf(Kind.CLOSE, { id: 3, session: first }));
  await client.waitForFrame(3);
  assert.deepEqual(dispatcher.closed, [first]);
  client.socket.destroy();
  await waitFor("the other session closed", () => dispatcher.closed.length === 2);
  assert.deepEqual(dispatcher.closed, [first, second]);
  assert.equal(dispatcher.sessions.size, 0);
});

it("a session opened after its caller gave up or went away is closed at once", async (t) => {
  const { path, dispatcher, server } = await startServer(t);
  dispatcher.holdOpens = true;
  const client = await rawClient(t, path);
  client.send(frameOf(Kind.OPEN, { id: 1, service: "math" }));
  client.send(frameOf(Kind.OPEN, { id: 2, service: "math" }));
  await waitFor("two held opens", () => dispatcher.heldOpens.length === 2);
  client.send(frameOf(Kind.CANCEL, { id: 1 }));
  // The CANCEL is read once a call after it is answered.
  client.call(3, "add", { a: 1, b: 1 });
  await client.waitForFrame(3);
  const cancelled = dispatcher.answerOpen(dispatcher.heldOpens[0] as never);
  assert.deepEqual(dispatcher.closed, [cancelled]);
  client.socket.destroy();
  await waitFor("the connection gone", () => server.connections === 0);
  const orphan = dispatcher.answerOpen(dispatcher.heldOpens[1] as never);
  assert.deepEqual(dispatcher.closed, [cancelled, orphan]);
  assert.equal(dispatcher.sessions.size, 0);
});
