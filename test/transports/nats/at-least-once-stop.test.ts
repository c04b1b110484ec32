// A graceful stop of a host taking calls at least once: a call it pulled runs on till it ends, and the
// master keeps telling JetStream it works on it, so the stream does not deliver it again to another
// host once its ack wait passes (it would run twice, and the method need not be idempotent).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { ACK_WAIT_MS } from "../../../src/transports/nats/work-queue-stream.ts";
import { isAlive } from "../../harness/process.ts";
import { waitFor } from "../../harness/wait.ts";
import { startNats } from "../../support/nats-server.ts";
import { atLeastOnceClient, startAtLeastOnceHost } from "./support.ts";

it("runs a call once that outlasts the ack wait on a host stopping gracefully, with another host up", {
  timeout: 90_000,
}, async (t) => {
  const nats = await startNats({ jetstream: true });
  t.after(() => nats.stop());
  const stopping = await startAtLeastOnceHost(nats, { minDrones: 1, maxDrones: 1 });
  t.after(() => stopping.stop());
  const client = await atLeastOnceClient(nats);
  t.after(() => client.close());

  const dir = stopping.marks;
  const started = () => {
    try {
      return readFileSync(join(dir, "started"), "utf8").trim().split("\n");
    } catch {
      return [];
    }
  };
  // A method that does not stop on its signal: the stop waits for it.
  const ms = ACK_WAIT_MS + 3_000;
  const call = client.service("math").call("deaf", { ms, dir, tag: "long" }, { timeout: "60s" });
  await waitFor("the call running on the first host", () => started().length === 1);
  // The other host comes up after: the stream can only give the call to it by delivering it again.
  const other = await startAtLeastOnceHost(nats, { minDrones: 1, maxDrones: 1 });
  t.after(() => other.stop());
  const stopped = stopping.proc.stop(30_000);
  const pid = await call;
  assert.equal((await stopped).code, 0, "the graceful stop waited for the call");
  assert.equal(isAlive(stopping.proc.pid), false);
  assert.deepEqual(started(), ["long"], "it ran once, on the stopping host");
  assert.ok(Number.isInteger(pid), "its caller heard its result");
  const counters = (await other.status()).services[0]?.counters;
  assert.equal(counters?.calls, 0, "the other host was never given it");
});
