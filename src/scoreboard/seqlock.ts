// A sequence lock per record, so that readers never see a record half-written, while the writer
// (each record has exactly one) pays two atomic increments and no system call.
//
// The writer makes the counter odd, writes the fields with plain stores, and makes it even again.
// A reader takes the counter, copies the fields, and keeps the copy only if the counter was even and
// is unchanged. The second check is a compare-exchange of the value with itself rather than a load:
// a read-modify-write is a full barrier, so the plain reads of the copy cannot drift past it (a plain
// acquire load would allow that on weakly ordered CPUs). It writes back the value it found, so it
// never disturbs the writer.

/** Marks the record at `seqIndex` as being written. Pair every call with endWrite. */
export function beginWrite(i32: Int32Array, seqIndex: number): void {
  Atomics.add(i32, seqIndex, 1);
}

/** Marks the record at `seqIndex` as consistent again. */
export function endWrite(i32: Int32Array, seqIndex: number): void {
  Atomics.add(i32, seqIndex, 1);
}

// Spin a little first (a writer's update takes nanoseconds), then sleep in 1 ms steps in case the
// writer was descheduled mid-update (on a loaded machine that lasts whole time slices), and give up
// after STALL_MS so a reader never hangs on a writer that was stopped mid-update.
const SPINS = 1_000;
const STALL_MS = 250;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Copies the record of `into.length` Int32 words starting at `base` (its sequence counter) into `into`,
 * retrying until the copy is consistent. The copy is raw words, so the window a writer can spoil is as
 * short as it can be; callers decode `into` afterwards. `writerAlive` is asked only when the record
 * stays mid-update, so a writer killed during an update costs a reader one check.
 *
 * Returns false when the writer stopped in the middle of an update (it was killed, or it stalled for
 * longer than a reader waits): the copied fields are then each valid but may mix old and new values.
 */
export function copyRecord(
  i32: Int32Array,
  base: number,
  into: Int32Array,
  writerAlive: () => boolean,
): boolean {
  const words = into.length;
  let giveUpAt = 0;
  for (let attempt = 0; ; attempt++) {
    const before = Atomics.load(i32, base);
    if ((before & 1) === 0) {
      for (let i = 0; i < words; i++) into[i] = i32[base + i] as number;
      if (Atomics.compareExchange(i32, base, before, before) === before) return true;
      if (attempt < SPINS) continue;
    } else if (attempt < SPINS) {
      continue;
    } else if (!writerAlive()) {
      break;
    }
    const now = performance.now();
    if (giveUpAt === 0) giveUpAt = now + STALL_MS;
    else if (now > giveUpAt) break;
    Atomics.wait(sleeper, 0, 0, 1);
  }
  for (let i = 0; i < words; i++) into[i] = i32[base + i] as number;
  return false;
}

/** Makes a record whose writer died mid-update consistent again. Only for the slot's owner-to-be. */
export function resetSequence(i32: Int32Array, seqIndex: number): void {
  const value = Atomics.load(i32, seqIndex);
  if ((value & 1) === 1) Atomics.add(i32, seqIndex, 1);
}
