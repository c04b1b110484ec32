// A drone's own NATS connection, over a real nats-server, with the test as its master: results of calls
// that came over NATS are published to the caller while the connection is up, and sent to the master
// (a DONE with the result) while it is down, not left in the NATS client's buffer.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { deserialize, serialize } from "node:v8";
import { connect as connectRaw, createInbox } from "@nats-io/transport-node";
import { Kind } from "../../src/dispatch/wire/messages.ts";
import { makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { startNats } from "../support/nats-server.ts";
import { readyDrone, resultOf } from "./test-drone.ts";

let nextId = 5_000;

it("publishes results while its NATS connection is up, and sends them to the master while it is down", async (t) => {
  const nats = await startNats();
  t.after(() => nats.stop());
  const dir = makeTempDir("drover-test-nats-replies-");
  t.after(() => dir.remove());
  const drone = await readyDrone(t, {
    spec: {
      nats: {
        servers: [nats.url],
        subject: "drover.test",
        queue: "drover.test",
        delivery: "at-most-once",
        handOff: true,
      },
    },
  });
  await waitFor("the drone's NATS connection", async () =>
    (await nats.connections()).some((c) => c.name === `drover drone ${drone.pid} of test`),
  );
  const raw = await connectRaw({ servers: nats.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  t.after(() => raw.close());
  const inbox = createInbox();
  const published = new Map<string, unknown>();
  raw.subscribe(`${inbox}.*`, {
    callback: (_error, message) => {
      published.set(message.subject, deserialize(message.data));
    },
  });
  await raw.flush();
  const run = (method: string, params: unknown, name: string) => {
    const id = nextId++;
    drone.send(Kind.RUN, { id, method, timeoutMs: 60_000, replyTo: `${inbox}.${name}` }, serialize(params));
    return id;
  };

  const up = await drone.done(run("echo", "up", "up"));
  assert.deepEqual(up.header, { id: up.header.id, ok: true, replied: true });
  await waitFor("the published result", () => published.get(`${inbox}.up`) === "up");

  const file = join(dir.path, "release");
  const held = run("hold", { file }, "down");
  await nats.halt();
  await drone.waitForOutput(/the drone lost NATS/);
  writeFileSync(file, "");
  const down = await drone.done(held);
  assert.notEqual(down.header.ok && down.header.replied, true, "not published into the outage");
  assert.deepEqual(resultOf(down), { released: true }, "the result went to the master");

  await nats.restart();
  await drone.waitForOutput(/the drone reached NATS again/);
  // This test's own subscription is back too (it reconnects on its own schedule): NATS drops a result
  // for an inbox nobody listens on yet.
  await waitFor("the test's subscription back", async () => {
    raw.publish(`${inbox}.probe`, serialize("probe"));
    await raw.flush().catch(() => {});
    return published.has(`${inbox}.probe`);
  });
  const again = await drone.done(run("echo", "again", "again"));
  assert.deepEqual(again.header, { id: again.header.id, ok: true, replied: true }, "published again");
  await waitFor("the result published after the outage", () => published.get(`${inbox}.again`) === "again");
  assert.equal(published.has(`${inbox}.down`), false);
});
