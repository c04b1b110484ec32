// After a fork the system refuses (out of processes or file descriptors), forks that keep a pool
// filled pause, so that the system is not hammered nor the log flooded. A generation's start does not
// wait: an operator asked for it, perhaps after fixing the cause, so it tries at once, and if the fork
// fails again the reload fails with that fork's own error.

const FORK_BACKOFF_MS = 10_000;

/** What a fork is for: a generation's start (tried even while backing off) or keeping a pool filled. */
export type ForkPurpose = "start" | "upkeep";

export class ForkBackoff {
  #until = 0;

  /** Whether forks that keep a pool filled are paused. */
  get active(): boolean {
    return Date.now() < this.#until;
  }

  /** Whether a fork for `purpose` must wait. */
  holds(purpose: ForkPurpose): boolean {
    return purpose === "upkeep" && this.active;
  }

  /** A fork for `purpose` failed: forks for upkeep pause from now. Returns what follows, for the log. */
  failed(purpose: ForkPurpose): string {
    this.#until = Date.now() + FORK_BACKOFF_MS;
    return purpose === "start"
      ? "the generation's start fails"
      : `trying again in ${FORK_BACKOFF_MS / 1000} s`;
  }
}
