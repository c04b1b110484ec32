// Calls over a real nats-server to one drover master: results published by the drones themselves,
// every refusal with its code, deadlines and cancellation that reach ctx.signal, and bad input refused
// before a drone sees it (a malformed header too, which must not stop the master reading from NATS).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { deserialize, serialize } from "node:v8";
import { connect as connectRaw, createInbox, headers, type Msg } from "@nats-io/transport-node";
import { type Client, connect } from "../../../src/client/index.ts";
import { MAX_DURATION_MS } from "../../../src/config/duration.ts";
import { rejection } from "../../dispatch/support.ts";
import { waitFor } from "../../harness/wait.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import type { RunningServices } from "../../support/services.ts";
import { natsClient, publishRaw, startNatsHost } from "./support.ts";

describe("calls over NATS", { timeout: 120_000 }, () => {
  let nats: RunningNats;
  let host: RunningServices;
  let client: Client;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    nats = await startNats();
    host = await startNatsHost(nats, { minDrones: 2, maxDrones: 2, maxMessageBytes: "64KiB", maxBacklog: 4 });
    client = await natsClient(nats, (fn) => cleanups.push(fn));
  });
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
    await host?.stop();
    await nats?.stop();
  });

  it("answers results that the drones publish themselves, binary as binary", async () => {
    const math = client.service("math");
    assert.equal(await math.call("add", { a: 1, b: 2 }), 3);
    const bytes = (await math.call("bytes", { size: 1000 })) as Uint8Array;
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(bytes.byteLength, 1000);
    const before = await nats.connections();
    for (let i = 0; i < 20; i++) assert.equal(await math.call("add", { a: i, b: 1 }), i + 1);
    const later = await nats.connections();
    const published = (list: typeof before, who: RegExp) =>
      list.filter((c) => who.test(c.name ?? "")).reduce((sum, c) => sum + c.in_msgs, 0);
    assert.ok(
      published(later, /^drover drone/) - published(before, /^drover drone/) >= 20,
      "the drones published the 20 results",
    );
    assert.equal(
      published(later, /^drover master/) - published(before, /^drover master/),
      0,
      "the master published none of them: it is off the return path",
    );
  });

  it("refuses with the dispatch pool's codes, and NATS's no-responders for a service nobody runs", async () => {
    const math = client.service("math");
    const failed = await rejection(math.call("fail", { message: "bad input" }));
    assert.equal(failed.code, "DROVER_ERR_METHOD_FAILED");
    assert.equal((failed.remote as { message: string }).message, "bad input");
    const noMethod = await rejection(math.call("nope", {}));
    assert.equal(noMethod.code, "DROVER_ERR_NO_SUCH_METHOD");
    assert.ok(noMethod.methods?.includes("add"));
    // With a 60 s budget, a timeout would be DISPATCH_TIMEOUT: NO_RESPONDERS means it failed at once.
    const nobody = await rejection(client.service("nosuch").call("add", {}, { timeout: "60s" }));
    assert.equal(nobody.code, "DROVER_ERR_NO_RESPONDERS");
  });

  it("times calls out at the caller's budget, aborting ctx.signal; a call whose deadline passed while queued never runs", async () => {
    const math = client.service("math");
    const late = await rejection(
      math.call("sleep", { ms: 10_000, dir: host.marks, tag: "late" }, { timeout: 300 }),
    );
    assert.equal(late.code, "DROVER_ERR_DISPATCH_TIMEOUT");
    await waitFor("the late call's signal", () =>
      readMarks(host, "aborted").includes("late DROVER_ERR_DISPATCH_TIMEOUT"),
    );
    // Both drones busy: the third call waits, and its deadline passes first.
    const busy = [0, 1].map((i) => math.call("sleep", { ms: 1_500, dir: host.marks, tag: `busy${i}` }));
    await waitFor(
      "both drones busy",
      () => readMarks(host, "started").filter((m) => m.startsWith("busy")).length === 2,
    );
    const queued = await rejection(
      math.call("sleep", { ms: 10, dir: host.marks, tag: "queued" }, { timeout: 200 }),
    );
    assert.equal(queued.code, "DROVER_ERR_DISPATCH_TIMEOUT");
    assert.match(queued.message, /never ran/);
    await Promise.all(busy);
    assert.ok(!readMarks(host, "started").includes("queued"), "the expired call never started");
  });

  it("waits for the answer of a call with the longest budget a timer can wait", async () => {
    const math = client.service("math");
    // Its own deadline, the budget and a grace, must fit a Node timer: past it a timer fires at once.
    assert.equal(typeof (await math.call("sleep", { ms: 200 }, { timeout: MAX_DURATION_MS })), "number");
    const session = await math.session({ timeout: MAX_DURATION_MS });
    assert.equal(typeof (await session.call("sleep", { ms: 200 })), "number");
    await session.close();
  });

  it("cancels a running call when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const call = client
      .service("math")
      .call("sleep", { ms: 10_000, dir: host.marks, tag: "cancelled" }, { signal: controller.signal });
    await waitFor("the call to start", () => readMarks(host, "started").includes("cancelled"));
    controller.abort();
    assert.equal((await rejection(call)).code, "DROVER_ERR_DISPATCH_CANCELLED");
    await waitFor("the drone's signal to fire", () =>
      readMarks(host, "aborted").includes("cancelled DROVER_ERR_DISPATCH_CANCELLED"),
    );
  });

  it("pins a session to one drone on a subject of its own, until it is closed", async () => {
    const session = await client.service("math").session();
    const pid = await session.call("pid", undefined);
    for (let i = 0; i < 5; i++) assert.equal(await session.call("pid", undefined), pid);
    const count = async () => ((await session.call("count", undefined)) as { count: number }).count;
    assert.equal(await count(), 1);
    assert.equal(await count(), 2, "the session's store is kept between calls");
    await session.close();
    const expired = await rejection(session.call("add", { a: 1, b: 1 }));
    assert.equal(expired.code, "DROVER_ERR_SESSION_EXPIRED");
    // Another caller of its subject: kept a while after the session ended, it says how it did.
    const raw = await connectRaw({ servers: nats.url });
    try {
      const late = await raw.request(`_DROVER.session.${session.id}.add`, serialize({ a: 1, b: 1 }), {
        timeout: 5_000,
      });
      assert.equal(late.headers?.get("Drover-Error"), "DROVER_ERR_SESSION_EXPIRED");
      assert.match(late.headers?.get("Nats-Service-Error") ?? "", /of service "math" was closed/);
    } finally {
      await raw.close();
    }
  });

  it("refuses params over max_payload or maxMessageBytes, and malformed messages, and harms no drone", async () => {
    const math = client.service("math");
    const pids = new Set(await Promise.all([math.call("pid", undefined), math.call("pid", undefined)]));
    const overNats = await rejection(math.call("length", Buffer.alloc(2 * 1024 * 1024)));
    assert.equal(overNats.code, "DROVER_ERR_MESSAGE_TOO_LARGE");
    assert.match(overNats.message, /max_payload.*nothing was sent/);
    const overService = await rejection(math.call("length", Buffer.alloc(100 * 1024)));
    assert.equal(overService.code, "DROVER_ERR_MESSAGE_TOO_LARGE");
    assert.match(overService.message, /maxMessageBytes/);

    // A plain NATS publisher: no drover client, anything on the subject.
    const raw = await connectRaw({ servers: nats.url });
    try {
      const errorOf = async (subject: string, data: Uint8Array, timeout?: string) => {
        const h = headers();
        if (timeout !== undefined) h.set("Drover-Timeout", timeout);
        const reply = await raw.request(subject, data, { timeout: 5_000, headers: h });
        return {
          status: reply.headers?.get("Nats-Service-Error-Code"),
          code: reply.headers?.get("Drover-Error"),
        };
      };
      assert.deepEqual(await errorOf("drover.math.add", new TextEncoder().encode('{"a":1}')), {
        status: "400",
        code: "DROVER_ERR_DISPATCH_BAD_MESSAGE",
      });
      assert.deepEqual(await errorOf("drover.math.add", serialize({ a: 1, b: 1 }), "soon"), {
        status: "400",
        code: "DROVER_ERR_DISPATCH_BAD_MESSAGE",
      });
      assert.deepEqual(await errorOf("drover.math.a\u00e9", serialize({})), {
        status: "400",
        code: "DROVER_ERR_DISPATCH_BAD_MESSAGE",
      });
      const ok = await raw.request("drover.math.add", serialize({ a: 2, b: 3 }), { timeout: 5_000 });
      assert.equal(ok.headers?.get("Nats-Service-Error-Code"), undefined);
      // A reply subject the drones' wire does not carry (not ASCII) is answered by the master, on that
      // very subject: never on a look-alike, never refused.
      const inbox = "_INBOX.drover-\u0129";
      const answered = raw.subscribe(inbox, { max: 1, timeout: 5_000 });
      raw.publish("drover.math.add", serialize({ a: 4, b: 5 }), { reply: inbox });
      for await (const reply of answered) {
        assert.equal(reply.headers?.get("Nats-Service-Error-Code"), undefined);
        assert.equal(deserialize(reply.data), 9);
      }
    } finally {
      await raw.close();
    }
    const after = new Set(await Promise.all([math.call("pid", undefined), math.call("pid", undefined)]));
    for (const pid of after) assert.ok(pids.has(pid), "the same drones serve on");
  });

  it("refuses a malformed header on the service and session subjects, ignores it on the cancel subject, and reads on", async () => {
    const math = client.service("math");
    const session = await math.session();
    const raw = await connectRaw({ servers: nats.url });
    try {
      const inbox = createInbox();
      const answers = new Map<string, Msg>();
      raw.subscribe(`${inbox}.*`, {
        callback: (_error, message) => {
          answers.set(message.subject, message);
        },
      });
      await raw.flush();
      // nats.js throws reading such a header; a throw in a subscription's callback ends its reader.
      const malformed = ["Bad Key: x"];
      await publishRaw(nats, "_DROVER.cancel", malformed);
      await publishRaw(nats, "drover.math.add", malformed, serialize({ a: 1, b: 1 }), `${inbox}.call`);
      await publishRaw(
        nats,
        `_DROVER.session.${session.id}.count`,
        malformed,
        serialize(0),
        `${inbox}.session`,
      );
      assert.equal(await math.call("add", { a: 2, b: 2 }, { timeout: "5s" }), 4, "the master reads on");
      for (const subject of [`${inbox}.call`, `${inbox}.session`]) {
        const answer = await waitFor(`the answer on ${subject}`, () => answers.get(subject));
        assert.equal(answer.headers?.get("Nats-Service-Error-Code"), "400");
        assert.equal(answer.headers?.get("Drover-Error"), "DROVER_ERR_DISPATCH_BAD_MESSAGE");
      }
      const { count } = (await session.call("count", undefined)) as { count: number };
      assert.equal(count, 1, "the malformed call never reached the session's drone");
      await session.close();
      assert.doesNotMatch(host.proc.output(), /lost NATS/, "the master's connection never broke");
    } finally {
      await raw.close();
    }
  });

  it("fails a call whose reply's headers cannot be read with DISPATCH_BAD_MESSAGE", async () => {
    // Not a drover master: a responder on a subject of its own that answers with a malformed header.
    const raw = await connectRaw({ servers: nats.url });
    const fake = await connect({ nats: { servers: nats.url, services: { fake: { subject: "acme.fake" } } } });
    try {
      raw.subscribe("acme.fake.>", {
        callback: (_error, message) => {
          if (message.reply) void publishRaw(nats, message.reply, ["Bad Key: x"], serialize(1));
        },
      });
      await raw.flush();
      const failed = await rejection(fake.service("fake").call("add", {}, { timeout: "5s" }));
      assert.equal(failed.code, "DROVER_ERR_DISPATCH_BAD_MESSAGE", failed.message);
      assert.match(failed.message, /fake\.add: the reply's headers cannot be read/);
    } finally {
      await fake.close();
      await raw.close();
    }
  });
});

function readMarks(host: RunningServices, name: string): string[] {
  try {
    return readFileSync(join(host.marks, name), "utf8").trim().split("\n");
  } catch {
    return [];
  }
}
