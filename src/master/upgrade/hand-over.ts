// `drover upgrade` as an operation of the old master: queued like a reload, it starts the new master
// on the serving generation's sockets (successor.ts) with time for its hooks and children to start;
// once the new master serves, this one lets go of what is the new one's now (its run files, the health
// port, systemd's main process) and stops gracefully, its children finishing their requests. A new
// master that fails leaves this one serving, and the failure is in the log.
import type { ResolvedConfig } from "../../config/types/resolved-config.ts";
import type { Logger } from "../../log/logger.ts";
import type { Generations } from "../generations/generations.ts";
import type { Lifecycle } from "../lifecycle.ts";
import type { StopOptions } from "../master.ts";
import type { MasterSystemd } from "../master-systemd.ts";
import type { MasterRun } from "../run/run.ts";
import { type Successor, startSuccessor } from "./successor.ts";

// Beyond its hooks' and children's own deadlines, how long a new master has to serve on an upgrade.
const UPGRADE_SLACK_MS = 10_000;

export interface HandOverParts {
  readonly lifecycle: Lifecycle;
  /** The serving generation's listeners are the new master's. */
  readonly generations: Pick<Generations, "serving">;
  readonly log: Logger;
  /** The config of the generation serving now. */
  readonly config: () => ResolvedConfig;
  readonly run: Pick<MasterRun, "handOver">;
  readonly systemd: Pick<MasterSystemd, "environment" | "handedOver">;
  readonly stop: (options: StopOptions) => Promise<number>;
}

/** Starts the new master and hands over to it once it serves; rejects with UPGRADE_FAILED if it does not. */
export async function upgradeTo(parts: HandOverParts): Promise<Successor> {
  let successor: Successor;
  try {
    successor = await parts.lifecycle.enqueue("upgrade", (signal) => {
      const { hookTimeout, childStartTimeout } = parts.config();
      parts.log.info("upgrade: starting a new master from the installed code");
      return startSuccessor({
        listeners: parts.generations.serving?.listeners ?? [],
        env: parts.systemd.environment,
        timeoutMs: 3 * hookTimeout + childStartTimeout + UPGRADE_SLACK_MS,
        signal,
      });
    });
  } catch (error) {
    if (!parts.lifecycle.stopping) parts.log.error({ err: error }, (error as Error).message);
    throw error;
  }
  parts.log.info(
    { pid: successor.pid, generation: successor.generation },
    `upgrade: master ${successor.pid} serves; this master stops gracefully`,
  );
  parts.run.handOver();
  parts.systemd.handedOver(successor.pid);
  // After the reply has gone out.
  setImmediate(() => void parts.stop({ graceful: true }));
  return successor;
}
