// The new master's side of an upgrade's sockets: what it inherited from the old master, and the
// health listener, which cannot be inherited the same way (Node's own server holds it) and is bound
// again once the old master has let it go.
import { setTimeout as delay } from "node:timers/promises";
import type { TcpListener } from "../../config/types/resolved-config.ts";
import type { Logger } from "../../log/logger.ts";
import type { MasterHealth } from "../health/health.ts";
import { type HealthServer, startHealthServer } from "../health/health-server.ts";
import type { OpenListener } from "../run/listeners.ts";
import type { UpgradeOrigin } from "./upgrade-env.ts";

// How long the old master may take to close its health listener once it has handed over.
const HEALTH_FREE_MS = 10_000;
const HEALTH_RETRY_MS = 50;

/**
 * The listeners as this master holds them: a socket the old master bound itself is this master's own
 * now (a reload may close it, a stop removes its socket file), one systemd passed stays systemd's.
 */
export function inheritedListeners(
  opened: readonly OpenListener[],
  origin: UpgradeOrigin,
  log: Logger,
): OpenListener[] {
  return opened.map((open) => {
    if (!open.adopted) return open;
    log.info(
      { listen: open.address, fd: open.fd },
      `listening on ${open.address}: inherited from master ${origin.from}`,
    );
    if (origin.systemdFds.has(open.adopted.fd)) return open;
    return { listener: open.listener, fd: open.fd, address: open.address };
  });
}

/** Binds the health listener as soon as the old master has closed its own (within HEALTH_FREE_MS). */
export async function healthWhenFree(
  listen: TcpListener,
  health: MasterHealth,
  log: Logger,
  signal: AbortSignal,
): Promise<HealthServer | undefined> {
  const deadline = Date.now() + HEALTH_FREE_MS;
  for (;;) {
    try {
      return await startHealthServer(listen, health, log);
    } catch (error) {
      if (signal.aborted) return undefined;
      if (Date.now() > deadline) {
        log.error({ err: error }, `health endpoints not served: ${(error as Error).message}`);
        return undefined;
      }
      await delay(HEALTH_RETRY_MS);
    }
  }
}
