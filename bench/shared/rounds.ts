// The run order of a figure bench: one untimed round first (JIT, pools and connections warm), then in
// every round every figure runs its targets in turn (A B A B over the rounds), so that slow drift on a
// shared machine falls on all targets alike.

/**
 * `measure` of every figure against each of its targets, round 0 (`warming`, its samples dropped) to
 * `rounds`; returns the samples of rounds 1 on, each reported on stderr with `describe`.
 */
export async function alternateRounds<
  F extends { readonly id: string; readonly targets: readonly string[] },
  S,
>(
  figures: readonly F[],
  rounds: number,
  measure: (figure: F, target: string, round: number, warming: boolean) => Promise<S>,
  describe: (sample: S) => string,
): Promise<S[]> {
  const samples: S[] = [];
  for (let round = 0; round <= rounds; round++) {
    const warming = round === 0;
    for (const figure of figures) {
      for (const id of figure.targets) {
        const sample = await measure(figure, id, round, warming);
        if (warming) continue;
        samples.push(sample);
        console.error(`round ${round} ${figure.id} ${id}: ${describe(sample)}`);
      }
    }
    if (warming) console.error("warmed up");
  }
  return samples;
}
