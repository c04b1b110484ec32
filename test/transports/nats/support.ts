// Masters serving the fixture's "math" service over a real nats-server, and NATS clients of it.
import { type Client, connect } from "../../../src/client/index.ts";
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

/** A NATS client, closed by the test's end. */
export async function natsClient(
  nats: RunningNats,
  after: (fn: () => Promise<void>) => void,
): Promise<Client> {
  const client = await connect({ nats: { servers: nats.url } });
  after(() => client.close());
  return client;
}
