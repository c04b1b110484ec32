// Sessions: calls pinned to one session; close; an expired session fails with SESSION_EXPIRED, or with
// `reconnect` opens a fresh one and sends the call again, once.
import assert from "node:assert/strict";
import { it } from "node:test";
import { connect, isDroverError } from "../../src/client/index.ts";
import { ErrorCode } from "../../src/errors.ts";
import { startServer } from "../transports/embedded/server.ts";

it("a session's calls carry its id; two sessions are apart; close() ends it", async (t) => {
  const { path, dispatcher } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const math = client.service("math");
  const first = await math.session();
  const second = await math.session();
  assert.notEqual(first.id, second.id);
  assert.equal(await first.call("count", undefined), 1);
  assert.equal(await first.call("count", undefined), 2);
  assert.equal(await second.call("count", undefined), 1);
  await first.close();
  await first.close();
  assert.deepEqual(dispatcher.closed, [first.id]);
  await assert.rejects(first.call("count", undefined), (error) => {
    assert.ok(isDroverError(error, ErrorCode.SESSION_EXPIRED));
    assert.match(error.message, /was closed \(session\.close\(\)\)/);
    return true;
  });
  assert.equal(dispatcher.calls.get("count"), 3, "a call on a closed session is not sent");
});

it("without reconnect an expired session's call fails with SESSION_EXPIRED", async (t) => {
  const { path, dispatcher } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const session = await client.service("math").session();
  dispatcher.expire(session.id);
  await assert.rejects(session.call("count", undefined), (error) =>
    isDroverError(error, ErrorCode.SESSION_EXPIRED),
  );
  // Closing a session the master already ended is no error.
  await session.close();
});

it("with reconnect an expired session is opened afresh and the call sent again once", async (t) => {
  const { path, dispatcher } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const session = await client.service("math").session({ reconnect: true, timeout: "10s" });
  const old = session.id;
  assert.equal(await session.call("count", undefined), 1);
  assert.equal(await session.call("count", undefined), 2);
  dispatcher.expire(old);
  // Three calls meet the expiry at once: they share the one new session.
  const counts = await Promise.all([1, 2, 3].map(() => session.call("count", undefined)));
  assert.notEqual(session.id, old);
  assert.deepEqual(counts.sort(), [1, 2, 3], "the new session starts fresh");
  assert.equal(dispatcher.sessions.size, 1, "one new session, not one per call");
  assert.equal(dispatcher.calls.get("count"), 2 + 3 + 3, "each expired call sent again once");
  await session.close();
  assert.deepEqual(dispatcher.closed, [session.id]);
});

it("with reconnect a call that finds its new session expired too fails, sent twice only", async (t) => {
  const { path, dispatcher } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  const open = dispatcher.open.bind(dispatcher);
  const session = await client.service("math").session({ reconnect: true });
  // From now on each session opened is gone before its first call.
  dispatcher.open = (service, timeoutMs, signal, reply) =>
    open(service, timeoutMs, signal, {
      ok: (body, id) => {
        if (id) dispatcher.expire(id);
        reply.ok(body, id);
      },
      fail: (code, message, details) => reply.fail(code, message, details),
    });
  dispatcher.expire(session.id);
  await assert.rejects(session.call("count", undefined), (error) =>
    isDroverError(error, ErrorCode.SESSION_EXPIRED),
  );
  assert.equal(dispatcher.calls.get("count"), 2);
});

it("a session of a service the master does not have fails with NO_SUCH_SERVICE", async (t) => {
  const { path } = await startServer(t);
  const client = await connect({ socket: path });
  t.after(() => client.close());
  await assert.rejects(client.service("nope").session(), (error) =>
    isDroverError(error, ErrorCode.NO_SUCH_SERVICE),
  );
});
