// `drover upgrade` around the start of the new master: the old master waits to hear how the start went
// (to hand over, or to serve on), and once the first generation serves, the run files and the health
// port become this master's.
import { isDroverError } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { MasterRun } from "../run/run.ts";
import type { UpgradeOrigin } from "./upgrade-env.ts";

/** Runs `start`, then tells the old master that started this one (if one did) whether it serves. */
export async function reportStart<T extends { readonly generation: number }>(
  origin: UpgradeOrigin | undefined,
  start: () => Promise<T>,
): Promise<T> {
  try {
    const master = await start();
    origin?.report({ ready: true, pid: process.pid, generation: master.generation });
    return master;
  } catch (error) {
    const code = isDroverError(error) ? error.code : undefined;
    origin?.report({ ready: false, error: (error as Error).message, ...(code ? { code } : {}) });
    throw error;
  }
}

/** The first generation serves: the old master's run files are this one's now (MasterRun.takeOver). */
export async function takeOverFrom(origin: UpgradeOrigin, run: MasterRun, log: Logger): Promise<void> {
  await run.takeOver();
  log.info({ from: origin.from }, `upgrade: this master serves and took over from master ${origin.from}`);
}
