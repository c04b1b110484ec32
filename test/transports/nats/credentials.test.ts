// A nats-server that takes only clients with a user and password: a master and a client with them
// serve and call; with a wrong password each says the credentials were refused and what to check (not
// that no server runs there), the master keeps trying, and a reload with the right ones serves.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect } from "../../../src/client/index.ts";
import { rejection } from "../../dispatch/support.ts";
import { isAlive } from "../../harness/process.ts";
import { waitFor } from "../../harness/wait.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import { type RunningServices, startServices } from "../../support/services.ts";

const USER = { user: "drover", pass: "s3cret" };

describe("NATS credentials", { timeout: 90_000 }, () => {
  let nats: RunningNats;
  let host: RunningServices;

  before(async () => {
    nats = await startNats({ user: USER });
  });
  after(async () => {
    await host?.stop();
    assert.equal(host && isAlive(host.proc.pid), false);
    await nats?.stop();
  });

  it("refuses a client's wrong password with NATS_UNAVAILABLE, saying to check the credentials", async () => {
    const error = await rejection(connect({ nats: { servers: nats.url, user: "drover", pass: "wrong" } }));
    assert.equal(error.code, "DROVER_ERR_NATS_UNAVAILABLE");
    assert.match(error.message, /check the user and pass/);
  });

  it("logs a master's refused credentials once, keeps trying, and serves after a reload with the right ones", async () => {
    const transport = (pass: string) => ({ nats: { servers: nats.url, ...USER, pass } });
    host = await startServices({
      math: { minDrones: 1, maxDrones: 1, transport: transport("wrong") },
      ready: /cannot connect to NATS at .*check the user and pass/,
    });
    host.writeConfig({ minDrones: 1, maxDrones: 1, transport: transport(USER.pass) });
    const reloaded = await host.cli("reload");
    assert.equal(reloaded.status, 0, reloaded.stderr);
    await waitFor("the service on NATS", () => /takes calls from NATS on/.test(host.proc.output()));
    const client = await connect({ nats: { servers: nats.url, ...USER } });
    try {
      assert.equal(await client.service("math").call("add", { a: 2, b: 2 }, { timeout: "10s" }), 4);
    } finally {
      await client.close();
    }
    const refusals = host.proc.output().match(/cannot connect to NATS at/g) ?? [];
    assert.equal(refusals.length, 1, "the same refusal is logged once, not at every attempt");
  });
});
