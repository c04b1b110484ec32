// The master under systemd, in one place: what it takes from systemd's environment (the notify socket
// and watchdog, the sockets passed by socket activation) and what systemd hears of its life (the
// protocol is src/systemd/notifier.ts): STATUS= and WATCHDOG=1 from the health verdicts while it runs,
// READY=1 once the first generation serves, RELOADING=1 around each reload or restart, STOPPING=1
// once a stop has begun, MAINPID= when an upgrade's new master serves. master.ts says when; the order
// each needs is kept here.
import type { Logger } from "../log/logger.ts";
import { type Activation, type PassedSocket, takePassedSockets } from "../systemd/activation.ts";
import { SystemdNotifier } from "../systemd/notifier.ts";
import { type NotifyEnvironment, takeNotifyEnvironment } from "../systemd/notify-environment.ts";
import type { MasterHealth } from "./health/health.ts";

export interface SystemdEnvironment {
  readonly notify: NotifyEnvironment;
  readonly activation: Activation;
}

/** systemd's variables are this process's alone: taken out before the config's code or any child runs. */
export function takeSystemdEnvironment(): SystemdEnvironment {
  return { notify: takeNotifyEnvironment(), activation: takePassedSockets() };
}

export class MasterSystemd {
  /** The sockets systemd passed, served instead of binding their listen entries. */
  readonly passed: readonly PassedSocket[];
  readonly #notifier: SystemdNotifier;

  /** Logs what was wrong with the variables (socket activation's first), as the config's warnings are. */
  constructor(environment: SystemdEnvironment, log: Logger) {
    for (const note of environment.activation.notes) log.warn(note);
    this.passed = environment.activation.sockets;
    this.#notifier = new SystemdNotifier(environment.notify, log);
  }

  /** STATUS= and WATCHDOG=1 from what `health` says, until the master has exited. */
  follow(health: MasterHealth, exited: Promise<number>): void {
    this.#notifier.start({ summary: () => health.summary(), alive: () => health.liveness().ok });
    void exited.then(() => this.#notifier.close());
  }

  /** What a new master started by an upgrade needs to tell systemd how it does. */
  get environment(): NodeJS.ProcessEnv {
    return this.#notifier.environment;
  }

  /** The first generation serves. */
  ready(): void {
    this.#notifier.ready();
  }

  /** Runs a reload or restart between RELOADING=1 and READY=1, which follows a failed one too. */
  async reloading<T>(operation: () => Promise<T>): Promise<T> {
    this.#notifier.reloading();
    try {
      return await operation();
    } finally {
      this.#notifier.reloaded();
    }
  }

  /** A stop has begun: called after it has, so that STATUS= says so. */
  stopping(): void {
    this.#notifier.stopping();
  }

  /** An upgrade's new master `pid` serves: it is systemd's main process now, and this one is silent. */
  handedOver(pid: number): void {
    this.#notifier.handedOver(pid);
  }
}
