// Each child's own connection limit, drawn from maxConnectionsPerChild and its jitter, so that children
// started together do not all retire together.

/**
 * A connection limit for one child: `maxConnectionsPerChild` spread uniformly by ±`jitter` (0.1 draws
 * from 90% to 110%), rounded, and at least 1. 0 stays 0: the child is never recycled. `random` returns
 * a number in [0, 1), as Math.random.
 */
export function drawConnectionLimit(
  maxConnectionsPerChild: number,
  jitter: number,
  random: () => number = Math.random,
): number {
  if (maxConnectionsPerChild <= 0) return 0;
  const spread = maxConnectionsPerChild * jitter * (2 * random() - 1);
  return Math.max(1, Math.round(maxConnectionsPerChild + spread));
}
