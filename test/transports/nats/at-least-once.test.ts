// delivery: "at-least-once" over a real nats-server with JetStream: two hosts share one durable pull
// consumer; each pulls only as many calls as it has idle drones; a call whose drone died is delivered
// again to another drone; one that kills its drone again is terminated as poison; one that waited in
// the stream past its budget never runs; one whose headers cannot be read is terminated.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { serialize } from "node:v8";
import { AckPolicy, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { connect as connectRaw, type NatsConnection, nanos } from "@nats-io/transport-node";
import { type Client, connect } from "../../../src/client/index.ts";
import { ACK_WAIT_MS, CONSUMER, streamName } from "../../../src/transports/nats/work-queue-stream.ts";
import { rejection } from "../../dispatch/support.ts";
import { waitFor } from "../../harness/wait.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import type { RunningServices } from "../../support/services.ts";
import { atLeastOnceClient, publishRaw, startAtLeastOnceHost } from "./support.ts";

const STREAM = streamName("drover.math");

describe("at-least-once delivery through JetStream", { timeout: 120_000 }, () => {
  let nats: RunningNats;
  const hosts: RunningServices[] = [];
  let client: Client;
  let raw: NatsConnection;

  before(async () => {
    nats = await startNats({ jetstream: true });
    raw = await connectRaw({ servers: nats.url });
    // The stream and consumer as an older drover left them: its consumer waited 30 s for an ack.
    const manager = await jetstreamManager(raw);
    await manager.streams.add({
      name: STREAM,
      subjects: ["drover.math.>"],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    });
    await manager.consumers.add(STREAM, {
      durable_name: CONSUMER,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      max_deliver: -1,
    });
    for (let i = 0; i < 2; i++) {
      hosts.push(await startAtLeastOnceHost(nats, { minDrones: 1, maxDrones: 1 }));
    }
    client = await atLeastOnceClient(nats);
  });
  after(async () => {
    await client?.close();
    await raw?.close();
    for (const host of hosts) await host.stop();
    await nats?.stop();
  });

  const consumerInfo = async () => (await jetstreamManager(raw)).consumers.info(STREAM, CONSUMER);
  const marks = (name: string) =>
    hosts.flatMap((host) => {
      try {
        return readFileSync(join(host.marks, name), "utf8").trim().split("\n");
      } catch {
        return [];
      }
    });

  it("brings an older drover's consumer to this one's ack wait", async () => {
    assert.equal((await consumerInfo()).config.ack_wait, nanos(ACK_WAIT_MS));
  });

  it("answers calls, pulling only as many as each host has idle drones; the rest wait in the stream", async () => {
    const math = client.service("math");
    assert.equal(await math.call("add", { a: 2, b: 3 }), 5);
    const sleeps = Array.from({ length: 5 }, (_, i) =>
      math.call("sleep", { ms: 1_000, dir: hosts[i % 2]?.marks, tag: `s${i}` }, { timeout: "20s" }),
    );
    const seen = await waitFor("calls held by the hosts and waiting in the stream", async () => {
      const info = await consumerInfo();
      return info.num_ack_pending === 2 && info.num_pending >= 1 ? info : undefined;
    });
    assert.ok(seen.num_ack_pending <= 2, "no host took more calls than it has drones");
    const pids = await Promise.all(sleeps);
    assert.equal(pids.length, 5, "every call ran once a drone was free");
    assert.equal(new Set(pids).size, 2, "both hosts' drones ran them");
    const session = await rejection(math.session());
    assert.equal(session.code, "DROVER_ERR_DISPATCH_BAD_MESSAGE");
  });

  it("delivers a call again when its drone dies, and terminates one that kills its drone again as poison", async () => {
    const math = client.service("math");
    const dir = hosts[0]?.marks as string;
    const pid = (await math.call("crashOnce", { dir, flag: "crashed" }, { timeout: "30s" })) as number;
    const crashed = Number(readFileSync(join(dir, "crashed"), "utf8"));
    assert.notEqual(pid, crashed, "another drone ran it after the first one died");

    const poison = await rejection(math.call("die", { dir }, { timeout: "30s" }));
    assert.equal(poison.code, "DROVER_ERR_POISON_MESSAGE");
    assert.equal(marks("died").length, 2, "it killed two drones, and no more");
    const info = await consumerInfo();
    assert.equal(
      info.num_pending + info.num_ack_pending,
      0,
      `nothing is left in the stream: ${JSON.stringify(info)}`,
    );
  });

  it("terminates a call whose headers cannot be read, and pulls on", async () => {
    const failures = () =>
      hosts.map((host) => host.proc.output().match(/cannot take calls from JetStream/g)?.length ?? 0);
    const before = failures();
    // nats.js throws reading such a header: a throw in the pull would leave it to come back for ever.
    await publishRaw(nats, "drover.math.add", ["Bad Key: x", "Drover-Reply: _INBOX.nobody"], serialize({}));
    // Sooner than the ack wait, after which an unanswered delivery would come back.
    await waitFor(
      "the malformed call to leave the stream",
      async () => {
        const info = await consumerInfo();
        return info.num_pending + info.num_ack_pending === 0 && info.delivered.stream_seq > 0;
      },
      ACK_WAIT_MS - 2_000,
    );
    assert.equal(await client.service("math").call("add", { a: 2, b: 2 }, { timeout: "5s" }), 4);
    assert.deepEqual(failures(), before, "no pull failed");
  });

  it("pulls on without a failure when the server holds up a pull's heartbeats for a moment", async () => {
    const failures = () =>
      hosts.map((host) => host.proc.output().match(/cannot take calls from JetStream/g)?.length ?? 0);
    const before = failures();
    // A stopped server misses the open pulls' idle heartbeats (two missed end a pull), as a busy host does.
    process.kill(nats.proc.pid, "SIGSTOP");
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      process.kill(nats.proc.pid, "SIGCONT");
    }
    assert.equal(await client.service("math").call("add", { a: 2, b: 2 }, { timeout: "10s" }), 4);
    assert.deepEqual(failures(), before, "no pull failed");
  });

  it("never runs a call that waited in the stream past its budget", async () => {
    const math = client.service("math");
    const dir = hosts[0]?.marks as string;
    const busy = [0, 1].map((i) =>
      math.call("sleep", { ms: 2_000, dir, tag: `busy${i}` }, { timeout: "20s" }),
    );
    // Two calls running at once: both hosts' only drones are busy.
    await waitFor(
      "both drones busy",
      () => marks("started").filter((tag) => tag.startsWith("busy")).length === 2,
    );
    const late = await rejection(math.call("sleep", { ms: 1, dir, tag: "late" }, { timeout: 300 }));
    assert.equal(late.code, "DROVER_ERR_DISPATCH_TIMEOUT");
    await Promise.all(busy);
    let last = "";
    await waitFor(
      "the late call to leave the stream",
      async () => {
        const info = await consumerInfo();
        last = JSON.stringify({
          pending: info.num_pending,
          ack: info.num_ack_pending,
          waiting: info.num_waiting,
          redelivered: info.num_redelivered,
        });
        return info.num_pending + info.num_ack_pending === 0;
        // Up to JetStream's ack wait: a pull that expired as a call reached it has the call delivered again.
      },
      45_000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}: ${last}; hosts: ${hosts
          .map((h) =>
            h.proc
              .output()
              .split("\n")
              .filter((l) => /JetStream|drone/.test(l))
              .slice(-3)
              .join(" | "),
          )
          .join(" || ")}`,
      );
    });
    assert.ok(!marks("started").includes("late"), "it never ran");
  });

  it("answers a caller that calls at most once through a stream still capturing the subject: the stream's ack is no answer", async () => {
    const plain = await connect({ nats: { servers: nats.url } });
    try {
      const math = plain.service("math");
      // Every host takes calls at least once: the stream stores the plain call and acks it; no master answers it.
      const stored = await rejection(math.call("add", { a: 1, b: 1 }, { timeout: 500 }));
      assert.equal(stored.code, "DROVER_ERR_DISPATCH_TIMEOUT", stored.message);
      assert.match(
        stored.message,
        new RegExp(`may have stopped or died.*\\(JetStream stream ${STREAM} also stored a copy of it`),
      );
      // A rolling change back to at most once: the first host answers plain calls; the stream still acks them.
      const host = hosts[0] as RunningServices;
      host.writeConfig({ minDrones: 1, maxDrones: 1, transport: { nats: { servers: nats.url } } });
      const reloaded = await host.cli("reload");
      assert.equal(reloaded.status, 0, reloaded.stderr);
      await waitFor("the first host in the queue group", () =>
        /takes calls from NATS on/.test(host.proc.output()),
      );
      for (let i = 0; i < 5; i++)
        assert.equal(await math.call("add", { a: i, b: 1 }, { timeout: "5s" }), i + 1);
      // The master says the stream piles up copies, and how to remove it.
      await waitFor("the leftover stream's warning", () =>
        host.proc.output().includes(`the JetStream stream ${STREAM} still captures`),
      );
      assert.match(host.proc.output(), new RegExp(`nats stream rm ${STREAM}`));
    } finally {
      await plain.close();
    }
  });
});
