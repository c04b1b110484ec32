// How an old master tells the new one it starts for `drover upgrade` what it is given. The listening
// sockets come as socket activation passes them (descriptors 3, 4, ... with LISTEN_FDS and
// LISTEN_FDNAMES, see src/systemd/activation.ts); LISTEN_PID cannot name a process that does not exist
// yet, so DROVER_UPGRADE_FROM names the old master instead, which must be this process's parent.
// DROVER_UPGRADE_FD is the pipe on which the new master says it serves (or why it could not), and
// DROVER_UPGRADE_SYSTEMD lists the passed descriptors that systemd had passed to the old master
// (those stay systemd's: drover never removes their socket files).
import { closeSync, writeSync } from "node:fs";
import { setCloexec } from "../../native/systemd.ts";

export const UPGRADE_FROM = "DROVER_UPGRADE_FROM";
export const UPGRADE_FD = "DROVER_UPGRADE_FD";
export const UPGRADE_SYSTEMD = "DROVER_UPGRADE_SYSTEMD";
const VARIABLES = [UPGRADE_FROM, UPGRADE_FD, UPGRADE_SYSTEMD] as const;

/** What the old master's message says, one JSON line on the pipe. */
export type UpgradeMessage =
  | { readonly ready: true; readonly pid: number; readonly generation: number }
  | { readonly ready: false; readonly error: string; readonly code?: string };

/** This master was started by `drover upgrade` of the master `from`. */
export interface UpgradeOrigin {
  readonly from: number;
  /** The descriptors systemd passed to the old master, among the passed ones. */
  readonly systemdFds: ReadonlySet<number>;
  /** Tells the old master how the start went (once; later calls do nothing). */
  report(message: UpgradeMessage): void;
}

/**
 * The upgrade this process was started for, or undefined. The variables are removed from `env` either
 * way, so that no child believes it; when they check out, LISTEN_PID is set to this process so that
 * takePassedSockets adopts the inherited sockets.
 */
export function takeUpgradeOrigin(
  env: NodeJS.ProcessEnv = process.env,
  parent = process.ppid,
): UpgradeOrigin | undefined {
  const { [UPGRADE_FROM]: from, [UPGRADE_FD]: fd, [UPGRADE_SYSTEMD]: systemd } = env;
  for (const name of VARIABLES) delete env[name];
  if (from === undefined) return undefined;
  // Started by someone else with the variable set (a copied environment): not an upgrade.
  if (from !== String(parent) || !/^\d+$/.test(fd ?? "")) return undefined;
  const pipe = Number(fd);
  setCloexec(pipe);
  if (env.LISTEN_FDS !== undefined) env.LISTEN_PID = String(process.pid);
  let open = true;
  return {
    from: Number(from),
    systemdFds: new Set((systemd ?? "").split(",").filter(Boolean).map(Number)),
    report: (message) => {
      if (!open) return;
      open = false;
      try {
        writeSync(pipe, `${JSON.stringify(message)}\n`);
      } catch {
        // The old master is gone: nobody waits for the answer, and this master serves on.
      } finally {
        closeSync(pipe);
      }
    },
  };
}
