// Masters serving the fixture's "math" service over a real nats-server, NATS clients of it, and a raw
// publisher of what no client would send.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createConnection } from "node:net";
import { type Client, connect } from "../../../src/client/index.ts";
import { waitFor } from "../../harness/wait.ts";
import type { RunningNats } from "../../support/nats-server.ts";
import { type RunningServices, startServices } from "../../support/services.ts";

/** A master whose math service (with `math` fields) takes calls from `nats`; ready once it subscribed. */
export function startNatsHost(
  nats: RunningNats,
  math: Record<string, unknown> = {},
  config: Record<string, unknown> = {},
): Promise<RunningServices> {
  return startServices({
    math: { transport: { nats: { servers: nats.url } }, ...math },
    config,
    ready: /takes calls from NATS on/,
  });
}

/** A master whose math service (with `math` fields) takes calls at least once from `nats`'s JetStream. */
export function startAtLeastOnceHost(
  nats: RunningNats,
  math: Record<string, unknown>,
): Promise<RunningServices> {
  return startServices({
    math: { ...math, delivery: "at-least-once", transport: { nats: { servers: nats.url } } },
    ready: /takes calls at least once from JetStream/,
  });
}

/** A NATS client that calls math at least once. */
export function atLeastOnceClient(nats: RunningNats): Promise<Client> {
  return connect({ nats: { servers: nats.url, services: { math: { delivery: "at-least-once" } } } });
}

/** With NATS `settings` (TLS, credentials) on both sides, a client's call is answered by a drone on its own connection. */
export async function callsWith(nats: RunningNats, settings: Record<string, unknown>): Promise<void> {
  const client = await connect({ nats: { servers: nats.url, ...settings } });
  try {
    assert.equal(await client.service("math").call("add", { a: 2, b: 5 }, { timeout: "10s" }), 7);
    await waitFor("the drone's own connection", async () =>
      (await nats.connections()).some(({ name }) => name?.startsWith("drover drone")),
    );
  } finally {
    await client.close();
  }
}

/** A NATS client, closed by the test's end. */
export async function natsClient(
  nats: RunningNats,
  after: (fn: () => Promise<void>) => void,
): Promise<Client> {
  const client = await connect({ nats: { servers: nats.url } });
  after(() => client.close());
  return client;
}

/**
 * Publishes what no NATS client library would send: `headerLines` raw after `NATS/1.0` (a malformed
 * header, say), on a plain TCP connection speaking the protocol itself; resolves once the server has it.
 */
export async function publishRaw(
  nats: RunningNats,
  subject: string,
  headerLines: string[],
  body: Uint8Array = new Uint8Array(0),
  reply?: string,
): Promise<void> {
  const socket = createConnection(nats.port, "127.0.0.1");
  try {
    await once(socket, "data"); // INFO
    const head = Buffer.from(`NATS/1.0\r\n${headerLines.map((line) => `${line}\r\n`).join("")}\r\n`);
    const target = reply === undefined ? subject : `${subject} ${reply}`;
    socket.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\n');
    socket.write(`HPUB ${target} ${head.byteLength} ${head.byteLength + body.byteLength}\r\n`);
    socket.write(Buffer.concat([head, body, Buffer.from("\r\nPING\r\n")]));
    for (;;) {
      const [chunk] = (await once(socket, "data")) as [Buffer];
      if (chunk.toString().includes("PONG")) return;
      if (chunk.toString().includes("-ERR")) throw new Error(`nats-server refused it: ${chunk}`);
    }
  } finally {
    socket.destroy();
  }
}
