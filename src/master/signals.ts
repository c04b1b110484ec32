// The master's signals, as Apache has them: TERM and INT stop, WINCH stops gracefully, USR1 restarts
// gracefully, HUP restarts hard.

export interface SignalActions {
  readonly stop: () => void;
  readonly gracefulStop: () => void;
  readonly reload: () => void;
  readonly restart: () => void;
}

/** Installs the handlers; returns the function that removes them again. */
export function installSignals(actions: SignalActions): () => void {
  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ["SIGTERM", actions.stop],
    ["SIGINT", actions.stop],
    ["SIGWINCH", actions.gracefulStop],
    ["SIGUSR1", actions.reload],
    ["SIGHUP", actions.restart],
  ];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
