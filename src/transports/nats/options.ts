// How a master, a drone and a client connect to NATS: reconnect for ever (an outage must restart no
// drone: each connection comes back by itself), quickly, and without the async stack traces that cost
// request/reply most of its speed (research 3.1).
import { setTimeout as delay } from "node:timers/promises";
import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import type { ResolvedNats } from "../../config/types/nats.ts";

/** How long between attempts to reach a NATS server again. */
export const RECONNECT_WAIT_MS = 250;

/** The options of a connection to `nats`, named `name` (what `nats server report connections` shows). */
export function natsConnectionOptions(
  nats: Pick<ResolvedNats, "servers" | "user" | "pass" | "token">,
  name: string,
): ConnectionOptions {
  return {
    servers: [...nats.servers],
    name,
    noAsyncTraces: true,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    reconnectJitter: 100,
    pingInterval: 10_000,
    ...(nats.user !== undefined ? { user: nats.user } : {}),
    ...(nats.pass !== undefined ? { pass: nats.pass } : {}),
    ...(nats.token !== undefined ? { token: nats.token } : {}),
  };
}

/** What to look at when a connection to NATS fails with `error`. */
export function connectHint(error: unknown): string {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /authoriz|authenticat|credentials|permission/i.test(text)
    ? "check the user and pass (or the token) in the NATS settings"
    : "is nats-server running there?";
}

/** The servers and credentials as one key: services that share it share one connection. */
export function connectionKey(nats: ResolvedNats): string {
  return JSON.stringify([nats.servers, nats.user ?? "", nats.pass ?? "", nats.token ?? ""]);
}

// One attempt to reach a server before the next (the whole list is tried in each).
const ATTEMPT_MS = 2_000;

/**
 * Connects, trying again every RECONNECT_WAIT_MS until a server answers or `signal` aborts (then it
 * rejects with the signal's reason). nats.js's own waitOnFirstConnect cannot be called off, and a
 * pending attempt would keep a stopped master alive; once connected, nats.js reconnects by itself.
 */
export async function connectUntil(
  options: ConnectionOptions,
  signal: AbortSignal,
  onFailure?: (error: unknown) => void,
): Promise<NatsConnection> {
  for (;;) {
    signal.throwIfAborted();
    try {
      const connection = await connect({ ...options, timeout: ATTEMPT_MS });
      if (!signal.aborted) return connection;
      await connection.close();
    } catch (error) {
      onFailure?.(error);
    }
    await delay(RECONNECT_WAIT_MS, undefined, { signal });
  }
}
