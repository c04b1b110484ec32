// A nats-server that takes only clients with a user and password: a master and a client with them
// serve and call; with a wrong password each says the credentials were refused and what to check (not
// that no server runs there), the master keeps trying, and a reload with the right ones serves. One
// that takes only an nkey, and one in operator mode (JWTs): a master and a client with the seed file, or
// the credentials file, serve and call.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect } from "../../../src/client/index.ts";
import { rejection } from "../../dispatch/support.ts";
import { isAlive } from "../../harness/process.ts";
import { makeTempDir } from "../../harness/temp.ts";
import { waitFor } from "../../harness/wait.ts";
import { makeNkeyUser, makeOperatorCredentials } from "../../support/nats-jwt.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import { type RunningServices, startServices } from "../../support/services.ts";
import { callsWith, startNatsHost } from "./support.ts";

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
      // The drone's spec, with the password in it, is out of the service's environment.
      assert.equal(await client.service("math").call("envVar", { name: "DROVER_CHILD" }), null);
    } finally {
      await client.close();
    }
    const refusals = host.proc.output().match(/cannot connect to NATS at/g) ?? [];
    assert.equal(refusals.length, 1, "the same refusal is logged once, not at every attempt");
  });
});

for (const [what, make] of [
  ["an nkey seed file", makeNkeyUser],
  ["a credentials file (a user's JWT and seed, in operator mode)", makeOperatorCredentials],
] as const) {
  describe(what, { timeout: 90_000 }, () => {
    const dir = makeTempDir("drover-test-way-in-");
    const { config, settings } = make(dir.path);
    let nats: RunningNats;
    let host: RunningServices;

    before(async () => {
      nats = await startNats({ config });
    });
    after(async () => {
      await host?.stop();
      assert.equal(host && isAlive(host.proc.pid), false);
      await nats?.stop();
      dir.remove();
    });

    it("lets a master, its drones and a client in; refuses a client without it", async () => {
      const transport = { nats: { servers: nats.url, ...settings } };
      host = await startNatsHost(nats, { minDrones: 1, maxDrones: 1, transport });
      await callsWith(nats, settings);
      const refused = await rejection(connect({ nats: { servers: nats.url }, timeout: "3s" }));
      assert.equal(refused.code, "DROVER_ERR_NATS_UNAVAILABLE");
      assert.match(refused.message, /check the user and pass, token, creds or nkey/);
    });
  });
}
