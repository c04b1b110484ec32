// Children that share a listener take connections as the kernel wakes them, and a burst of keep-alive
// connections can land 40 to 10 on two children: the busier one then queues its clients' requests
// while the other idles. So a child that holds far more connections than the least loaded of its
// peers (read from the scoreboard) stops accepting until they catch up. The margins leave the common,
// mild imbalance alone (pausing costs a listener close and reopen).
//
// A peer that does not accept must never stall the others (review D1): peers whose heartbeat is stale
// (hung, stopped, dead and not yet reaped) do not count, and a paused child that sees connections
// wait in the accept queue while its least loaded peer takes none takes them itself: that peer is not
// accepting (a long synchronous handler, say), and it does not pause for balance again for a while.

/** Stop accepting above this many times the fewest a peer holds, plus a few. */
const PAUSE_RATIO = 1.5;
/** Accept again at or below this many times, plus a few: below the pause mark, so it does not flap. */
const RESUME_RATIO = 1.25;
const SLACK = 2;
/** While paused, look this often. */
const CHECK_MS = 10;
/** Connections waiting this many checks in a row, while the peer's count stands still, mean it is stuck. */
const STALLED_CHECKS = 10;
/** After taking over from a stalled peer, balance is not sought again for this long. */
const HOLD_MS = 500;

/** Whether a child holding `open` connections should not accept, given the fewest a peer holds. */
export function tooFarAhead(open: number, fewestOfPeers: number | undefined, paused: boolean): boolean {
  if (fewestOfPeers === undefined) return false;
  return open > fewestOfPeers * (paused ? RESUME_RATIO : PAUSE_RATIO) + SLACK;
}

export interface BalanceParts {
  /** Connections this child holds now. */
  readonly open: () => number;
  /** The fewest connections a live, accepting peer holds; undefined when there is none. */
  readonly fewestOfPeers: () => number | undefined;
  /** Connections waiting in the listeners' accept queues (0 when it cannot be told). */
  readonly waiting: () => number;
  readonly pause: () => void;
  readonly resume: () => void;
  /** Told when this child takes connections a stalled peer left waiting (worth a log line: why?). */
  readonly tookOver: (waiting: number, stalledMs: number) => void;
}

export class AcceptBalance {
  readonly #parts: BalanceParts;
  #timer: NodeJS.Timeout | undefined;
  #stalledChecks = 0;
  #peerOpen: number | undefined;
  #holdUntil = 0;
  #stopped = false;

  constructor(parts: BalanceParts) {
    this.#parts = parts;
  }

  get paused(): boolean {
    return this.#timer !== undefined;
  }

  /** Called as connections come and go: pauses or resumes accepting. */
  check(): void {
    if (this.#stopped) return;
    const paused = this.paused;
    const ahead =
      Date.now() >= this.#holdUntil && tooFarAhead(this.#parts.open(), this.#parts.fewestOfPeers(), paused);
    if (ahead && !paused) {
      this.#stalledChecks = 0;
      this.#peerOpen = undefined;
      this.#timer = setInterval(() => this.#whilePaused(), CHECK_MS);
      this.#parts.pause();
    } else if (!ahead && paused) {
      this.#resume();
    }
  }

  /** For good (the child drains). */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #whilePaused(): void {
    // A peer that accepts shows it: its count moves. One whose count stands still while connections
    // wait is not taking them.
    const peerOpen = this.#parts.fewestOfPeers();
    const waiting = this.#parts.waiting();
    const stalled = waiting > 0 && peerOpen === this.#peerOpen;
    this.#peerOpen = peerOpen;
    this.#stalledChecks = stalled ? this.#stalledChecks + 1 : 0;
    if (this.#stalledChecks >= STALLED_CHECKS) {
      this.#holdUntil = Date.now() + HOLD_MS;
      this.#resume();
      this.#parts.tookOver(waiting, STALLED_CHECKS * CHECK_MS);
      return;
    }
    this.check();
  }

  #resume(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#parts.resume();
  }
}
