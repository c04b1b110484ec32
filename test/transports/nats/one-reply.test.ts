// Every call over NATS settles exactly once, for any NATS caller: a plain subscriber on its inbox
// (no drover client, which would keep only the first reply) hears one reply to a call whose deadline
// passed or that was cancelled, though its method still returns a result afterwards.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { serialize } from "node:v8";
import {
  connect as connectRaw,
  createInbox,
  headers,
  type Msg,
  type NatsConnection,
} from "@nats-io/transport-node";
import { waitFor } from "../../harness/wait.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import type { RunningServices } from "../../support/services.ts";
import { startNatsHost } from "./support.ts";

describe("one reply to each NATS call", { timeout: 120_000 }, () => {
  let nats: RunningNats;
  let host: RunningServices;
  let raw: NatsConnection;
  const inbox = createInbox();
  const replies = new Map<string, Msg[]>();
  const repliesTo = (name: string) => replies.get(`${inbox}.${name}`) ?? [];

  before(async () => {
    nats = await startNats();
    // One drone: a probe call after a late one runs on the same drone, whose NATS connection then
    // publishes the probe's result after anything it published for the late call.
    host = await startNatsHost(nats, { minDrones: 1, maxDrones: 1 });
    raw = await connectRaw({ servers: nats.url });
    raw.subscribe(`${inbox}.*`, {
      callback: (_error, message) => {
        replies.set(message.subject, [...(replies.get(message.subject) ?? []), message]);
      },
    });
    await raw.flush();
  });
  after(async () => {
    await raw?.close();
    await host?.stop();
    await nats?.stop();
  });

  const call = (method: string, params: unknown, name: string, timeoutMs: number) => {
    const h = headers();
    h.set("Drover-Timeout", String(timeoutMs));
    raw.publish(`drover.math.${method}`, serialize(params), { reply: `${inbox}.${name}`, headers: h });
  };
  const ran = async () => (await host.status()).services[0]?.runTime.count ?? 0;
  /** The one reply `name` got, once its drone answered the probe after it. */
  const onlyReply = async (name: string, runsBefore: number): Promise<Msg> => {
    await waitFor(`the first reply to ${name}`, () => repliesTo(name).length > 0);
    call("add", { a: 1, b: 1 }, `${name}-probe`, 10_000);
    await waitFor(`the probe after ${name}`, () => repliesTo(`${name}-probe`).length > 0);
    // The late call ran on the drone (it was not dropped while queued): its DONE and the probe's.
    await waitFor(
      `the drone's answers to ${name} and its probe`,
      async () => (await ran()) >= runsBefore + 2,
    );
    const got = repliesTo(name);
    assert.equal(got.length, 1, `${name}: ${got.map((m) => m.headers?.get("Drover-Error") ?? "a result")}`);
    return got[0] as Msg;
  };

  it("answers a call that returns after its deadline once: with the master's timeout", async () => {
    // spin holds the drone's event loop past the deadline: its signal is never even made.
    let runs = await ran();
    call("spin", { ms: 1_000 }, "spin", 300);
    const spun = await onlyReply("spin", runs);
    assert.equal(spun.headers?.get("Drover-Error"), "DROVER_ERR_DISPATCH_TIMEOUT");
    // waitFor returns (a result) once its signal aborted at the drone's deadline.
    runs = await ran();
    call("waitFor", { file: join(host.marks, "never") }, "deadline", 300);
    const late = await onlyReply("deadline", runs);
    assert.equal(late.headers?.get("Drover-Error"), "DROVER_ERR_DISPATCH_TIMEOUT");
  });

  it("answers a cancelled call once: with the master's cancellation", async () => {
    const runs = await ran();
    call("waitFor", { file: join(host.marks, "never") }, "cancel", 10_000);
    // After the call on the same connection, so the master has sent it to its idle drone already.
    const h = headers();
    h.set("Drover-Call", `${inbox}.cancel`);
    raw.publish("_DROVER.cancel", new Uint8Array(0), { headers: h });
    const cancelled = await onlyReply("cancel", runs);
    assert.equal(cancelled.headers?.get("Drover-Error"), "DROVER_ERR_DISPATCH_CANCELLED");
  });
});
