// The first generation's listeners: bound from the listen entries, or served on the sockets this
// master was passed at its start. From systemd (socket activation) the log says which listener took
// a passed socket and which drover had to bind itself because the socket unit does not hold it; from
// the old master of an upgrade they are inherited (upgrade/inherited.ts).
import type { Listener } from "../../config/types/resolved-config.ts";
import type { Logger } from "../../log/logger.ts";
import { describePassed, type PassedSocket } from "../../systemd/activation.ts";
import { inheritedListeners } from "../upgrade/inherited.ts";
import type { UpgradeOrigin } from "../upgrade/upgrade-env.ts";
import { type OpenListener, openListeners } from "./listeners.ts";

/** Opens `listen`, taking the `passed` sockets that serve its entries (see openListeners). */
export async function firstListeners(
  listen: readonly Listener[],
  passed: readonly PassedSocket[],
  upgrade: UpgradeOrigin | undefined,
  log: Logger,
): Promise<OpenListener[]> {
  const opened = await openListeners(listen, passed);
  const listeners = upgrade ? inheritedListeners(opened, upgrade, log) : opened;
  if (!upgrade && passed.length > 0) logAdoption(listeners, log);
  return listeners;
}

function logAdoption(listeners: readonly OpenListener[], log: Logger): void {
  for (const { adopted, address } of listeners) {
    if (adopted) {
      log.info(
        { listen: address, fd: adopted.fd },
        `listening on ${describePassed(adopted)}: passed by systemd`,
      );
    } else {
      log.warn(
        { listen: address },
        `${address} is not among the sockets systemd passed: drover bound it itself (add it to the socket unit to have systemd hold it)`,
      );
    }
  }
}
