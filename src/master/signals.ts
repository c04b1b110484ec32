// The master's signals. drover's own mapping is what systemd, Docker and Kubernetes expect: TERM (and
// INT, Ctrl-C) stop gracefully, a second one hurries the stop, QUIT stops at once; HUP reloads
// gracefully (as nginx and Gunicorn), so a terminal's hang-up never resets connections; USR1 reloads
// too and USR2 restarts hard. `signals: "apache"` gives Apache httpd's mapping instead, with QUIT still
// a hard stop (what `drover stop` sends a master that does not answer) and USR2, which Apache does not
// use, ignored: without a handler either would end the master at once, its children and files left.
// URG upgrades drover itself (`drover upgrade`) under both: USR2, nginx's and Unicorn's, is taken by
// the hard restart (and "ignored" is documented under "apache"), WINCH comes with every resize of a
// terminal, TTIN and TTOU are job control; URG is ignored by default, so sent to a drover too old to
// know it, it does nothing, and nothing sends it to a process that has not asked (F_SETOWN).
import type { SignalMapping } from "../config/types/values.ts";

export type SignalAction = "stop" | "gracefulStop" | "reload" | "restart" | "upgrade" | "ignore";

const SIGNAL_MAPPING: Readonly<
  Record<SignalMapping, ReadonlyArray<readonly [NodeJS.Signals, SignalAction]>>
> = {
  drover: [
    ["SIGTERM", "gracefulStop"],
    ["SIGINT", "gracefulStop"],
    ["SIGQUIT", "stop"],
    ["SIGHUP", "reload"],
    ["SIGUSR1", "reload"],
    ["SIGUSR2", "restart"],
    ["SIGURG", "upgrade"],
  ],
  apache: [
    ["SIGTERM", "stop"],
    ["SIGINT", "stop"],
    ["SIGWINCH", "gracefulStop"],
    ["SIGQUIT", "stop"],
    ["SIGUSR1", "reload"],
    ["SIGHUP", "restart"],
    ["SIGUSR2", "ignore"],
    ["SIGURG", "upgrade"],
  ],
};

/** Installs the handlers of `mapping`; returns the function that removes them again. */
export function installSignals(
  mapping: SignalMapping,
  act: (action: SignalAction, signal: NodeJS.Signals) => void,
): () => void {
  const handlers = SIGNAL_MAPPING[mapping].map(
    ([signal, action]) => [signal, () => act(action, signal)] as const,
  );
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

/** The handlers of one mapping at a time: `follow` puts another mapping's in their place. */
export class SignalHandlers {
  readonly #act: (action: SignalAction, signal: NodeJS.Signals) => void;
  #installed: { mapping: SignalMapping; uninstall: () => void } | undefined;

  constructor(act: (action: SignalAction, signal: NodeJS.Signals) => void) {
    this.#act = act;
  }

  /** Installs the handlers of `mapping`, unless they are installed already. */
  follow(mapping: SignalMapping): void {
    if (this.#installed?.mapping === mapping) return;
    this.#installed?.uninstall();
    this.#installed = { mapping, uninstall: installSignals(mapping, this.#act) };
  }

  uninstall(): void {
    this.#installed?.uninstall();
  }
}
