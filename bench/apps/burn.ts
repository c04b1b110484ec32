// A fixed amount of CPU work: the `mixed` app's heavy requests cost the same computation every time,
// so a slow machine shows a slower request instead of the app giving up early (no clock is read).

/** Runs `iterations` rounds of a xorshift generator and returns the last value (so it is not elided). */
export function burn(iterations: number, seed = 0x9e3779b9): number {
  let x = seed | 0 || 1;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}
