// Every call settles exactly once, by whichever comes first: the reply, the caller's signal (a CANCEL
// goes out, the master's late answer is dropped), the client's own deadline (timeout + 1 s, for a master
// that never answers), or the connection closing. Each with its code.
import assert from "node:assert/strict";
import { it, type TestContext } from "node:test";
import { connect, isDroverError } from "../../src/client/index.ts";
import { ErrorCode } from "../../src/errors.ts";
import { waitFor } from "../harness/wait.ts";
import { startServer } from "../transports/embedded/server.ts";

/** Counts how `promise` settles; any second settlement would be a bug the counts show. */
function track(promise: Promise<unknown>) {
  const seen = { resolved: 0, rejected: 0, error: undefined as unknown };
  promise.then(
    () => seen.resolved++,
    (error: unknown) => {
      seen.rejected++;
      seen.error = error;
    },
  );
  return seen;
}

/** Collects the unhandled rejections while the test runs; it checks there were none at its end. */
function watchUnhandled(t: TestContext): unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => process.off("unhandledRejection", onUnhandled));
  return unhandled;
}

it("the caller's signal rejects at once with DISPATCH_CANCELLED; the master's late answer is dropped", async (t) => {
  const unhandled = watchUnhandled(t);
  const { path, dispatcher } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const math = client.service("math");
  const controller = new AbortController();
  const call = math.call("slow", { ms: 60_000 }, { signal: controller.signal });
  const seen = track(call);
  await waitFor("the call at the master", () => dispatcher.calls.get("slow") === 1);
  controller.abort(new Error("user pressed stop"));
  await assert.rejects(call, (error) => {
    assert.ok(isDroverError(error, ErrorCode.DISPATCH_CANCELLED));
    assert.match(error.message, /math\.slow was cancelled by its signal: user pressed stop/);
    return true;
  });
  await waitFor("the CANCEL at the master", () => dispatcher.aborted.length === 1);
  // The master answered the cancelled call; a later call's answer comes after that one.
  assert.equal(await math.call("add", { a: 1, b: 1 }), 2);
  controller.abort();
  assert.deepEqual([seen.resolved, seen.rejected], [0, 1]);
  assert.deepEqual(dispatcher.aborted, ["the caller cancelled the call"]);
  assert.deepEqual(unhandled, []);
});

it("a signal aborted before the call rejects at once and sends nothing", async (t) => {
  const unhandled = watchUnhandled(t);
  const { path, dispatcher } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const call = client.service("math").call("add", { a: 1, b: 1 }, { signal: AbortSignal.abort() });
  await assert.rejects(call, (error) => isDroverError(error, ErrorCode.DISPATCH_CANCELLED));
  assert.equal(await client.service("math").call("add", { a: 2, b: 2 }), 4);
  assert.equal(dispatcher.calls.get("add"), 1);
  assert.deepEqual(unhandled, []);
});

it("a signal aborted after the result changes nothing", async (t) => {
  const unhandled = watchUnhandled(t);
  const { path, dispatcher } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const controller = new AbortController();
  const call = client.service("math").call("add", { a: 1, b: 2 }, { signal: controller.signal });
  const seen = track(call);
  assert.equal(await call, 3);
  controller.abort();
  assert.equal(await client.service("math").call("add", { a: 2, b: 2 }), 4);
  assert.deepEqual([seen.resolved, seen.rejected], [1, 0]);
  assert.deepEqual(dispatcher.aborted, []);
  assert.deepEqual(unhandled, []);
});

it("a master that never answers: DISPATCH_TIMEOUT at the timeout and its grace, and a CANCEL", async (t) => {
  const unhandled = watchUnhandled(t);
  const { path, dispatcher } = await startServer(t);
  const client = await connect({ socket: path, timeout: "10s" });
  t.after(() => client.close());
  const started = performance.now();
  const call = client.service("math").call("never", undefined, { timeout: 300 });
  const seen = track(call);
  await assert.rejects(call, (error) => {
    assert.ok(isDroverError(error, ErrorCode.DISPATCH_TIMEOUT));
    assert.match(
      error.message,
      /math\.never got no answer from the master on .* within its 0\.3 s timeout and 1 s more/,
    );
    return true;
  });
  assert.ok(performance.now() - started >= 1_300, "not before the timeout and its grace");
  await waitFor("the CANCEL at the master", () => dispatcher.aborted.length === 1);
  assert.equal(await client.service("math").call("add", { a: 1, b: 1 }), 2);
  assert.deepEqual([seen.resolved, seen.rejected], [0, 1]);
  assert.deepEqual(unhandled, []);
});

it("the connection closing rejects every pending call once with DISPATCH_CONNECTION", async (t) => {
  const unhandled = watchUnhandled(t);
  const { path, dispatcher, server } = await startServer(t);
  const client = await connect({ socket: path, timeout: "30s" });
  t.after(() => client.close());
  const math = client.service("math");
  const controller = new AbortController();
  const calls = [
    math.call("never", undefined),
    math.call("hold", undefined, { signal: controller.signal }),
    math.call("slow", { ms: 60_000 }),
  ];
  const seen = calls.map(track);
  await waitFor(
    "three calls at the master",
    () => dispatcher.aborted.length === 0 && dispatcher.held.length === 1,
  );
  await waitFor("the slow one too", () => dispatcher.calls.get("slow") === 1);
  await server.close();
  for (const call of calls) {
    await assert.rejects(call, (error) => {
      assert.ok(isDroverError(error, ErrorCode.DISPATCH_CONNECTION));
      assert.match(error.message, /^the connection to the master closed: /);
      assert.match(error.message, /may or may not have run/);
      return true;
    });
  }
  controller.abort();
  assert.deepEqual(
    seen.map((one) => [one.resolved, one.rejected]),
    [
      [0, 1],
      [0, 1],
      [0, 1],
    ],
  );
  // Later calls fail at once, the same way, saying that they were not sent.
  await assert.rejects(math.call("add", { a: 1, b: 1 }), (error) => {
    assert.ok(isDroverError(error, ErrorCode.DISPATCH_CONNECTION));
    assert.match(error.message, /math\.add was not sent: connect again/);
    return true;
  });
  assert.deepEqual(unhandled, []);
});

it("client.close() rejects its pending calls with DISPATCH_CONNECTION, and the master aborts them", async (t) => {
  const unhandled = watchUnhandled(t);
  const { path, dispatcher } = await startServer(t);
  const client = await connect({ socket: path });
  const call = client.service("math").call("never", undefined);
  const seen = track(call);
  await waitFor("the call at the master", () => dispatcher.calls.get("never") === 1);
  await client.close();
  await assert.rejects(call, (error) => {
    assert.ok(isDroverError(error, ErrorCode.DISPATCH_CONNECTION));
    assert.match(error.message, /client\.close\(\)/);
    return true;
  });
  await waitFor("the call aborted at the master", () => dispatcher.aborted.length === 1);
  await client.close();
  assert.deepEqual([seen.resolved, seen.rejected], [0, 1]);
  assert.deepEqual(unhandled, []);
});
