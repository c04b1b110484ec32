// A nats-server that takes only clients with a user and password: a master and a client with them
// serve and call; with a wrong password each says the credentials were refused and what to check (not
// that no server runs there), the master keeps trying, and a reload with the right ones serves. One
// that takes only an nkey, and one in operator mode (JWTs): a master and a client with the seed file, or
// the credentials file, serve and call.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nkeys } from "@nats-io/transport-node";
import { connect } from "../../../src/client/index.ts";
import { rejection } from "../../dispatch/support.ts";
import { isAlive } from "../../harness/process.ts";
import { makeTempDir } from "../../harness/temp.ts";
import { waitFor } from "../../harness/wait.ts";
import { makeOperatorCredentials } from "../../support/nats-jwt.ts";
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

describe("an nkey", { timeout: 90_000 }, () => {
  const user = nkeys.createUser();
  const seedDir = makeTempDir("drover-test-nkey-");
  const seed = join(seedDir.path, "user.nk");
  writeFileSync(seed, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
  let nats: RunningNats;
  let host: RunningServices;

  before(async () => {
    nats = await startNats({ config: `authorization { users: [ { nkey: "${user.getPublicKey()}" } ] }\n` });
  });
  after(async () => {
    await host?.stop();
    assert.equal(host && isAlive(host.proc.pid), false);
    await nats?.stop();
    seedDir.remove();
  });

  it("lets a master, its drones and a client in with the seed file; refuses a client without it", async () => {
    host = await startNatsHost(nats, {
      minDrones: 1,
      maxDrones: 1,
      transport: { nats: { servers: nats.url, nkey: seed } },
    });
    await callsWith(nats, { nkey: seed });
    const refused = await rejection(connect({ nats: { servers: nats.url }, timeout: "3s" }));
    assert.equal(refused.code, "DROVER_ERR_NATS_UNAVAILABLE");
    assert.match(refused.message, /check the user and pass, token, creds or nkey/);
  });
});

describe("a credentials file", { timeout: 90_000 }, () => {
  const dir = makeTempDir("drover-test-creds-");
  const { config, creds } = makeOperatorCredentials(dir.path);
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

  it("lets a master, its drones and a client in with a user's JWT and seed; refuses a client without it", async () => {
    host = await startNatsHost(nats, {
      minDrones: 1,
      maxDrones: 1,
      transport: { nats: { servers: nats.url, creds } },
    });
    await callsWith(nats, { creds });
    const refused = await rejection(connect({ nats: { servers: nats.url }, timeout: "3s" }));
    assert.equal(refused.code, "DROVER_ERR_NATS_UNAVAILABLE");
    assert.match(refused.message, /check the user and pass, token, creds or nkey/);
  });
});
