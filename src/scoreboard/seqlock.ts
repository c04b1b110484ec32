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

// Readers run on the master's and the children's main threads, so they spin and never sleep: a
// sleeping reader would stall everything else that thread does. A writer's update takes nanoseconds,
// so the free spins nearly always do. A record that stays mid-update longer (its writer was
// descheduled on a loaded machine, or stopped, or the memory was overwritten with an odd counter)
// draws on the budget of the whole snapshot; once that is spent, every later record gets only the
// free spins, so a board of stuck records costs a snapshot the budget once, not once per record.
const FREE_SPINS = 128;
/** Milliseconds one snapshot may spend in all waiting on records that stay mid-update. */
export const READ_BUDGET_MS = 2;

/** What is left of one snapshot's time for waiting on writers; make one per snapshot. */
export class ReadBudget {
  #remainingMs: number;

  constructor(milliseconds = READ_BUDGET_MS) {
    this.#remainingMs = milliseconds;
  }

  get remainingMs(): number {
    return this.#remainingMs;
  }

  spend(milliseconds: number): void {
    this.#remainingMs -= milliseconds;
  }
}

/**
 * Copies the record of `into.length` Int32 words starting at `base` (its sequence counter) into `into`,
 * retrying until the copy is consistent. The copy is raw words, so the window a writer can spoil is as
 * short as it can be; callers decode `into` afterwards. `writerAlive` is asked only when the record
 * stays mid-update past the free spins, so a writer killed during an update costs a reader one check
 * and none of the budget.
 *
 * Returns false when the record stayed mid-update (its writer was killed, or stalled past what is left
 * of `budget`): the copied fields are then each valid but may mix old and new values.
 */
export function copyRecord(
  i32: Int32Array,
  base: number,
  into: Int32Array,
  writerAlive: () => boolean,
  budget: ReadBudget,
): boolean {
  for (let spin = 0; spin < FREE_SPINS; spin++) if (tryCopy(i32, base, into)) return true;
  if (budget.remainingMs > 0 && writerAlive()) {
    const start = performance.now();
    const giveUpAt = start + budget.remainingMs;
    let now = start;
    do {
      for (let spin = 0; spin < FREE_SPINS; spin++) {
        if (tryCopy(i32, base, into)) {
          budget.spend(performance.now() - start);
          return true;
        }
      }
      now = performance.now();
    } while (now < giveUpAt);
    budget.spend(now - start);
  }
  for (let i = 0; i < into.length; i++) into[i] = i32[base + i] as number;
  return false;
}

// One try: the counter even, the words copied, and the counter unchanged (checked by the CAS, see
// the top of the file).
function tryCopy(i32: Int32Array, base: number, into: Int32Array): boolean {
  const before = Atomics.load(i32, base);
  if ((before & 1) !== 0) return false;
  for (let i = 0; i < into.length; i++) into[i] = i32[base + i] as number;
  return Atomics.compareExchange(i32, base, before, before) === before;
}

/** Makes a record whose writer died mid-update consistent again. Only for the slot's owner-to-be. */
export function resetSequence(i32: Int32Array, seqIndex: number): void {
  const value = Atomics.load(i32, seqIndex);
  if ((value & 1) === 1) Atomics.add(i32, seqIndex, 1);
}
