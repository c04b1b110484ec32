// What the log says about socket activation at start-up: each listener served on a socket systemd
// passed, and each one drover had to bind itself because the socket unit does not hold it.
import type { Logger } from "../../log/logger.ts";
import { describePassed } from "../../systemd/activation.ts";
import type { OpenListener } from "./listeners.ts";

export function logAdoption(listeners: readonly OpenListener[], log: Logger): void {
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
