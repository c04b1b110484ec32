// Children that share a listener take connections as the kernel wakes them, and a burst of keep-alive
// connections can land 40 to 10 on two children: the busier one then queues its clients' requests
// while the other idles. So a child that holds far more connections than the least loaded of its
// peers (read from the scoreboard) stops accepting until they catch up. The least loaded child never
// stops, so some child always accepts; the margins leave the common, mild imbalance alone (pausing
// costs a listener close and reopen).

/** Stop accepting above this many times the fewest a peer holds, plus a few. */
const PAUSE_RATIO = 1.5;
/** Accept again at or below this many times, plus a few: below the pause mark, so it does not flap. */
const RESUME_RATIO = 1.25;
const SLACK = 2;

/** Whether a child holding `open` connections should not accept, given the fewest a peer holds. */
export function tooFarAhead(open: number, fewestOfPeers: number | undefined, paused: boolean): boolean {
  if (fewestOfPeers === undefined) return false;
  return open > fewestOfPeers * (paused ? RESUME_RATIO : PAUSE_RATIO) + SLACK;
}
