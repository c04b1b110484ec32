// A nats-server that speaks TLS only, with a certificate from a CA of the test's own: a master and a
// client that trust that CA (tls: { ca }) serve and call; a client that does not is told to check its
// tls settings; a CA file that is not there fails the config, naming the field.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect } from "../../../src/client/index.ts";
import { rejection } from "../../dispatch/support.ts";
import { isAlive } from "../../harness/process.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import type { RunningServices } from "../../support/services.ts";
import { makeCertificates, type TestCertificates } from "../../support/tls.ts";
import { callsWith, startNatsHost } from "./support.ts";

describe("NATS over TLS", { timeout: 90_000 }, () => {
  let certificates: TestCertificates;
  let nats: RunningNats;
  let host: RunningServices;

  before(async () => {
    certificates = makeCertificates();
    nats = await startNats({ tls: { cert: certificates.serverCert, key: certificates.serverKey } });
  });
  after(async () => {
    await host?.stop();
    assert.equal(host && isAlive(host.proc.pid), false);
    await nats?.stop();
    certificates?.dir.remove();
  });

  it("serves a master and a client that trust the server's CA", async () => {
    const tls = { ca: certificates.ca };
    host = await startNatsHost(nats, {
      minDrones: 1,
      maxDrones: 1,
      transport: { nats: { servers: nats.url, tls } },
    });
    // Its result comes from the drone, on the drone's own connection (TLS too).
    await callsWith(nats, { tls });
  });

  it("tells a client that does not trust the server's certificate to check its tls settings", async () => {
    const error = await rejection(connect({ nats: { servers: nats.url }, timeout: "3s" }));
    assert.equal(error.code, "DROVER_ERR_NATS_UNAVAILABLE");
    assert.match(error.message, /check the tls settings/);
  });

  it("refuses a client's CA file that is not there before it connects, naming the field", async () => {
    const error = await rejection(connect({ nats: { servers: nats.url, tls: { ca: "./no-such-ca.pem" } } }));
    assert.equal(error.code, "DROVER_ERR_DISPATCH_BAD_MESSAGE");
    assert.match(error.message, /connect\(\)'s nats\.tls\.ca: cannot be read \(ENOENT\)/);
  });
});
