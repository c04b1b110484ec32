// A reload that takes a NATS transport away before its servers were ever reached: the master stops
// trying them, and drover status no longer says the service is connecting.
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitFor } from "../../harness/wait.ts";
import { startServices } from "../../support/services.ts";

it("gives up a NATS server never reached once no service wants it", { timeout: 60_000 }, async (t) => {
  // Nothing listens on port 1 of loopback: every attempt is refused.
  const transport = { nats: { servers: "127.0.0.1:1" } };
  const drover = await startServices({ math: { minDrones: 1, maxDrones: 1, transport } });
  t.after(() => drover.stop());
  const nats = async () => (await drover.status()).services.find((s) => s.name === "math")?.nats;
  assert.equal(await nats(), "connecting");
  drover.writeConfig({ minDrones: 1, maxDrones: 1 });
  const reload = await drover.cli("reload");
  assert.equal(reload.status, 0, reload.stderr);
  await waitFor("status says the service has no NATS transport", async () => (await nats()) === null);
  await drover.proc.waitForOutput(
    /no service uses NATS at 127\.0\.0\.1:1 any more: stopped trying it/,
    10_000,
  );
  const math = (await drover.client()).service("math");
  assert.equal(await math.call("add", { a: 1, b: 2 }), 3, "the socket serves on");
});
