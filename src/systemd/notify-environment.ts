// What systemd tells a notify-type service through its environment (sd_notify(3),
// sd_watchdog_enabled(3)): where to send notifications, and how often the watchdog wants to hear from
// it. The master takes these variables out of its environment, so that no child or drone sees them
// and sends notifications of its own.

/** The variables read here; each is removed from the environment that had it. */
export const NOTIFY_VARIABLES = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] as const;

export interface NotifyEnvironment {
  /** $NOTIFY_SOCKET: a socket path, or "@name" for an abstract socket. Undefined: not run by systemd. */
  readonly socket: string | undefined;
  /** How often to send WATCHDOG=1: half of $WATCHDOG_USEC. Undefined: no watchdog for this process. */
  readonly watchdogEveryMs: number | undefined;
  /** What was wrong with the variables, for the log; empty when nothing was. */
  readonly notes: readonly string[];
}

/** Reads the variables as sd_notify and sd_watchdog_enabled do; `pid` is this process's. */
export function readNotifyEnvironment(env: NodeJS.ProcessEnv, pid: number): NotifyEnvironment {
  const notes: string[] = [];
  const raw = env.NOTIFY_SOCKET;
  let socket: string | undefined;
  if (raw !== undefined && raw !== "") {
    if (raw.startsWith("/") || (raw.startsWith("@") && raw.length > 1)) socket = raw;
    else {
      notes.push(
        `NOTIFY_SOCKET is "${raw}", which is neither a socket path nor an @abstract name: drover sends systemd no notifications`,
      );
    }
  }
  return { socket, watchdogEveryMs: watchdogEvery(env, pid, notes), notes };
}

/** readNotifyEnvironment on `env`, then the variables are removed from it. */
export function takeNotifyEnvironment(env: NodeJS.ProcessEnv = process.env, pid = process.pid) {
  const read = readNotifyEnvironment(env, pid);
  for (const name of NOTIFY_VARIABLES) delete env[name];
  return read;
}

function watchdogEvery(env: NodeJS.ProcessEnv, pid: number, notes: string[]): number | undefined {
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || usec === "") return undefined;
  if (!/^\d+$/.test(usec) || Number(usec) === 0) {
    notes.push(`WATCHDOG_USEC is "${usec}", not a number of microseconds: no watchdog pings are sent`);
    return undefined;
  }
  // Another process's watchdog (systemd names the main process): not ours to feed.
  const owner = env.WATCHDOG_PID;
  if (owner !== undefined && owner !== "" && owner !== String(pid)) return undefined;
  // Half the period, as sd_watchdog_enabled(3) advises; never more often than every 50 ms.
  return Math.max(50, Math.floor(Number(usec) / 2_000));
}
