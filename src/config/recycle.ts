// Each child's own recycling limits, drawn from the settings and recycleJitter, so that children
// started together do not all retire together.

/**
 * A limit for one child: `setting` spread uniformly by ±`jitter` (0.1 draws from 90% to 110%),
 * rounded, and at least 1. 0 stays 0: no limit. `random` returns a number in [0, 1), as Math.random.
 */
export function jittered(setting: number, jitter: number, random: () => number = Math.random): number {
  if (setting <= 0) return 0;
  const spread = setting * jitter * (2 * random() - 1);
  return Math.max(1, Math.round(setting + spread));
}
