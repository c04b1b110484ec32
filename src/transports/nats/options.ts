// How a master, a drone and a client connect to NATS: reconnect for ever (an outage must restart no
// drone: each connection comes back by itself), quickly, and without the async stack traces that cost
// request/reply most of its speed (research 3.1).
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
} from "@nats-io/transport-node";
import type { NatsSecurity, ResolvedNats } from "../../config/types/nats.ts";

/** How long between attempts to reach a NATS server again. */
export const RECONNECT_WAIT_MS = 250;

/** The options of a connection to `nats`, named `name` (what `nats server report connections` shows). */
export function natsConnectionOptions(
  nats: NatsSecurity & Pick<ResolvedNats, "servers">,
  name: string,
): ConnectionOptions {
  const { creds, nkey, tls } = nats;
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
    // Read at each connect, so that a file rotated in place is used from the next reconnect on.
    ...(creds !== undefined ? { authenticator: credsAuthenticator(() => readFileSync(creds)) } : {}),
    ...(nkey !== undefined
      ? {
          authenticator: nkeyAuthenticator(() => new TextEncoder().encode(readFileSync(nkey, "utf8").trim())),
        }
      : {}),
    ...(tls !== undefined ? { tls: { ...tls } } : {}),
  };
}

/** What to look at when a connection to NATS fails with `error`. */
export function connectHint(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" || code === "EACCES" || code === "EPERM")
    return "check that the creds, nkey and TLS files are there, and readable by this process's user";
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  if (/authoriz|authenticat|credentials|permission|nkey|jwt/i.test(text))
    return "check the user and pass, token, creds or nkey in the NATS settings";
  if (/certificate|tls|ssl|self.signed/i.test(text)) return "check the tls settings (ca, cert, key)";
  return "is nats-server running there?";
}

/** The servers and credentials as one key: services that share it share one connection. */
export function connectionKey(nats: ResolvedNats): string {
  const { servers, user, pass, token, creds, nkey, tls } = nats;
  return JSON.stringify([servers, user, pass, token, creds, nkey, tls]);
}

// One attempt to reach a server before the next (the whole list is tried in each).
const ATTEMPT_MS = 2_000;

/**
 * Connects, trying again every RECONNECT_WAIT_MS until a server answers or `signal` aborts (then it
 * rejects with the signal's reason). nats.js's own waitOnFirstConnect cannot be called off, and a
 * pending attempt would keep a stopped master alive; once connected, nats.js reconnects by itself.
 * `onNewFailure` hears each new reason an attempt failed (the reason and what to check), not every attempt.
 */
export async function connectUntil(
  options: ConnectionOptions,
  signal: AbortSignal,
  onNewFailure?: (error: unknown, why: string) => void,
): Promise<NatsConnection> {
  let lastReason = "";
  const onFailure = (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    if (reason === lastReason) return;
    lastReason = reason;
    onNewFailure?.(error, `${reason} (${connectHint(error)})`);
  };
  for (;;) {
    signal.throwIfAborted();
    try {
      const connection = await connect({ ...options, timeout: ATTEMPT_MS });
      if (!signal.aborted) return connection;
      await connection.close();
    } catch (error) {
      onFailure(error);
    }
    await delay(RECONNECT_WAIT_MS, undefined, { signal });
  }
}
