// How long a stop may take at the most: what `drover stop` waits for before it escalates, and what a
// service manager's stop timeout must exceed (`drover systemd` writes TimeoutStopSec from it).
import type { ResolvedConfig } from "../../config/types/resolved-config.ts";
import { KILL_GRACE_MS } from "../children/child-handle.ts";
import type { StopOptions } from "../master.ts";

/** How long the children left at a stop have to exit: a signal, KILL_GRACE_MS, SIGKILL and its exit. */
export const STOP_CHILDREN_MS = 2 * KILL_GRACE_MS;

/** How long a stop with `options` takes at the most under `config`: the stop's deadlines added up. */
export function stopWithinMs(config: ResolvedConfig, options: StopOptions): number {
  const { shutdownDelay, gracefulShutdownTimeout } = config;
  const drain = options.graceful ? shutdownDelay + (options.timeoutMs ?? gracefulShutdownTimeout) : 0;
  return drain + STOP_CHILDREN_MS;
}
