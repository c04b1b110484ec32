// The shared half of a global lock: a ticket lock in a few KiB of shared memory. A waiter takes the
// next ticket; the lock goes to the tickets in turn, so it is FIFO across processes. Each ticket in
// flight has an entry in a ring saying whose it is (pid and start time, so a reused pid is not
// mistaken for its owner) and how far it got. Every change of hands is one compare-and-swap on the
// entry's stamp, so an owner and another process that judges it dead never both win.
//
// The turn moves on (passTurn) when its holder releases, or when the ticket is given up: its owner
// left (abort, timeout) or died (the master's abandon(), or a waiter's look at the head, below).
import { ownerPid, ownerRuns } from "./lock-owner.ts";

// Int32 indexes of the header's words.
const NEXT = 0; // the next ticket to hand out
const SERVING = 1; // the ticket whose turn it is
const RECOVERIES = 2;
const DIRTY = 3; // 1 from a holder's acquire to its release: still 1 at the next acquire, it died holding
const ROOM_SLEEPERS = 4; // waiters asleep on SERVING until the ring has room for their ticket
const HEADER_WORDS = 16;

// An entry: four Int32 words, of which the last two are one BigUint64.
const ENTRY_WORDS = 4;
const STAMP = 0; // ticket << 3 | phase
const SLEEPING = 1; // 1 while the owner sleeps on its stamp (a futex): only then must a change wake it
const OWNER = 2; // pid << 42 | start time

/** Entries in the ring, so tickets that can wait at once; more wait for room, in no set order. */
const RING = 256;
/** Bytes of shared memory a lock takes. */
export const LOCK_BYTES = (HEADER_WORDS + RING * ENTRY_WORDS) * 4;
/** The least that works (a ring of one: every waiter but the holder waits for room). */
export const MIN_LOCK_BYTES = (HEADER_WORDS + ENTRY_WORDS) * 4;

const Phase = {
  Free: 0, // no ticket: never used, or released
  Waiting: 1, // its owner waits for its turn
  Granted: 2, // its turn came: its owner may take the lock
  Held: 3, // its owner holds the lock
  Gone: 4, // its owner left or died: the turn passes over it
} as const;
type Phase = (typeof Phase)[keyof typeof Phase];

const stampOf = (ticket: number, phase: Phase): number => (ticket << 3) | phase;
const phaseOf = (stamp: number): Phase => (stamp & 7) as Phase;
// A stamp from an earlier use of the entry (or none) is no word from the ticket's owner yet.
const isFor = (stamp: number, ticket: number): boolean =>
  (stamp & ~7) === ticket << 3 && phaseOf(stamp) !== Phase.Free;

/** What take() found: the lock ("acquired" or "recovered"), not its turn yet, or the ticket lost. */
export type TakeResult = "acquired" | "recovered" | "wait" | "skipped";

/** A futex to sleep on: the Int32 at `byteOffset` of the lock's memory, while it holds `expected`. */
export interface SleepWord {
  readonly byteOffset: number;
  readonly expected: number;
}

export class TicketWords {
  readonly #words: Int32Array;
  readonly #owners: BigUint64Array;
  readonly #ring: number;
  /** Called with a futex's byte offset when a sleeper on it must see a change (see native/futex.c). */
  readonly #wake: (byteOffset: number) => void;

  /** `memory` holds at least MIN_LOCK_BYTES. */
  constructor(memory: ArrayBuffer, wake: (byteOffset: number) => void) {
    const entries = Math.floor((memory.byteLength / 4 - HEADER_WORDS) / ENTRY_WORDS);
    // A power of two, so that ticket & (ring - 1) stays in step when the ticket counter wraps.
    this.#ring = 2 ** Math.floor(Math.log2(Math.min(entries, RING)));
    this.#words = new Int32Array(memory, 0, HEADER_WORDS + this.#ring * ENTRY_WORDS);
    this.#owners = new BigUint64Array(memory, 0, this.#words.length / 2);
    this.#wake = wake;
  }

  get recoveries(): number {
    return Atomics.load(this.#words, RECOVERIES);
  }

  /** The next ticket, or undefined when the ring is full; `onlyIfFree`: only when nobody holds or waits. */
  takeTicket(onlyIfFree = false): number | undefined {
    for (;;) {
      const next = Atomics.load(this.#words, NEXT);
      const inFlight = (next - Atomics.load(this.#words, SERVING)) | 0;
      if (inFlight >= this.#ring || (onlyIfFree && inFlight !== 0)) return undefined;
      if (Atomics.compareExchange(this.#words, NEXT, next, (next + 1) | 0) === next) return next;
    }
  }

  /** Records `owner` as the ticket's owner, waiting; false if it was given up before it could. */
  claim(ticket: number, owner: bigint): boolean {
    const at = this.#entry(ticket);
    const stamp = Atomics.load(this.#words, at + STAMP);
    if (stamp === stampOf(ticket, Phase.Gone)) return false;
    Atomics.store(this.#words, at + SLEEPING, 0);
    // Before the stamp, so that whoever reads a stamp of this ticket reads its owner too.
    Atomics.store(this.#owners, (at + OWNER) / 2, owner);
    return Atomics.compareExchange(this.#words, at + STAMP, stamp, stampOf(ticket, Phase.Waiting)) === stamp;
  }

  /** Takes the lock if it is the ticket's turn. */
  take(ticket: number): TakeResult {
    const at = this.#entry(ticket) + STAMP;
    for (;;) {
      const stamp = Atomics.load(this.#words, at);
      const phase = isFor(stamp, ticket) ? phaseOf(stamp) : Phase.Gone;
      // Gone, or (never, with one owner per ticket) already held.
      if (phase !== Phase.Waiting && phase !== Phase.Granted) return "skipped";
      // Waiting with SERVING at this ticket: whoever moved the turn here has not granted it yet.
      const turn = phase === Phase.Granted || Atomics.load(this.#words, SERVING) === ticket;
      if (!turn) return "wait";
      if (Atomics.compareExchange(this.#words, at, stamp, stampOf(ticket, Phase.Held)) !== stamp) continue;
      if (Atomics.exchange(this.#words, DIRTY, 1) === 0) return "acquired";
      Atomics.add(this.#words, RECOVERIES, 1);
      return "recovered";
    }
  }

  /** Whether the ticket holds the lock. */
  holds(ticket: number): boolean {
    return Atomics.load(this.#words, this.#entry(ticket) + STAMP) === stampOf(ticket, Phase.Held);
  }

  /** The holder's release; false if the ticket did not hold the lock (it was judged dead). */
  release(ticket: number): boolean {
    if (!this.holds(ticket)) return false;
    Atomics.store(this.#words, DIRTY, 0);
    const at = this.#entry(ticket) + STAMP;
    const held = stampOf(ticket, Phase.Held);
    if (Atomics.compareExchange(this.#words, at, held, stampOf(ticket, Phase.Free)) !== held) return false;
    this.#passTurn(ticket);
    return true;
  }

  /** The owner leaves the queue (it no longer wants the lock); a turn it was granted moves on. */
  giveUp(ticket: number): void {
    const at = this.#entry(ticket) + STAMP;
    for (;;) {
      const stamp = Atomics.load(this.#words, at);
      const phase = isFor(stamp, ticket) ? phaseOf(stamp) : Phase.Gone;
      if (phase !== Phase.Waiting && phase !== Phase.Granted) return;
      if (this.#skip(ticket, stamp)) return;
    }
  }

  /** Sleeping on the ticket's stamp while it waits; a grant or a skip then wakes the sleeper. */
  sleep(ticket: number): SleepWord {
    const at = this.#entry(ticket);
    Atomics.store(this.#words, at + SLEEPING, 1);
    return { byteOffset: (at + STAMP) * 4, expected: stampOf(ticket, Phase.Waiting) };
  }

  /** What the ticket's owner's environment, should it end before giving the ticket back, leaves: gone. */
  exitGuard(ticket: number): { byteOffset: number; values: number[]; gone: number } {
    return {
      byteOffset: (this.#entry(ticket) + STAMP) * 4,
      values: [Phase.Waiting, Phase.Granted, Phase.Held].map((phase) => stampOf(ticket, phase)),
      gone: stampOf(ticket, Phase.Gone),
    };
  }

  awake(ticket: number): void {
    Atomics.store(this.#words, this.#entry(ticket) + SLEEPING, 0);
  }

  /** Sleeping on SERVING until the ring has room; call roomAwake() after, however the sleep ends. */
  sleepForRoom(): SleepWord {
    Atomics.add(this.#words, ROOM_SLEEPERS, 1);
    return { byteOffset: SERVING * 4, expected: Atomics.load(this.#words, SERVING) };
  }

  roomAwake(): void {
    Atomics.sub(this.#words, ROOM_SLEEPERS, 1);
  }

  /**
   * A waiter's look at the head of the queue: the ticket whose turn it is goes to the next when its
   * owner no longer runs, or when it has had no owner since the previous look (its owner died
   * between taking it and saying whose it is). Returns the ticket to pass to the next look.
   */
  skipDeadHead(unclaimedBefore: number | undefined): number | undefined {
    const serving = Atomics.load(this.#words, SERVING);
    if (serving === Atomics.load(this.#words, NEXT)) return undefined;
    const at = this.#entry(serving);
    const stamp = Atomics.load(this.#words, at + STAMP);
    if (!isFor(stamp, serving)) {
      if (unclaimedBefore !== serving) return serving;
      this.#skip(serving, stamp);
    } else if (phaseOf(stamp) === Phase.Gone) {
      this.#passTurn(serving); // given up by one that died before passing the turn on
    } else if (!ownerRuns(Atomics.load(this.#owners, (at + OWNER) / 2))) {
      this.#skip(serving, stamp);
    }
    return undefined;
  }

  /** Gives up every ticket of the exited process `pid`; true if one of them held the lock. */
  abandon(pid: number): boolean {
    let held = false;
    const serving = Atomics.load(this.#words, SERVING);
    const inFlight = Math.min((Atomics.load(this.#words, NEXT) - serving) | 0, this.#ring);
    for (let i = 0; i < inFlight; i++) {
      const ticket = (serving + i) | 0;
      const at = this.#entry(ticket);
      const stamp = Atomics.load(this.#words, at + STAMP);
      if (!isFor(stamp, ticket) || phaseOf(stamp) === Phase.Gone) continue;
      const owner = Atomics.load(this.#owners, (at + OWNER) / 2);
      // The pid alone is not enough: once reaped, it may already belong to a new process that waits.
      if (ownerPid(owner) !== pid || ownerRuns(owner)) continue;
      if (this.#skip(ticket, stamp) && phaseOf(stamp) === Phase.Held) held = true;
    }
    return held;
  }

  /** The pid of the process whose turn it is, if it has said. */
  headPid(): number | undefined {
    const serving = Atomics.load(this.#words, SERVING);
    const at = this.#entry(serving);
    if (!isFor(Atomics.load(this.#words, at + STAMP), serving)) return undefined;
    return ownerPid(Atomics.load(this.#owners, (at + OWNER) / 2));
  }

  #entry(ticket: number): number {
    return HEADER_WORDS + (ticket & (this.#ring - 1)) * ENTRY_WORDS;
  }

  // Marks the ticket gone if its stamp is still `stamp`, waking its owner should it sleep (it then
  // takes a new ticket), and moves the turn on if it was the ticket's.
  #skip(ticket: number, stamp: number): boolean {
    const at = this.#entry(ticket);
    if (Atomics.compareExchange(this.#words, at + STAMP, stamp, stampOf(ticket, Phase.Gone)) !== stamp) {
      return false;
    }
    if (Atomics.load(this.#words, at + SLEEPING) !== 0) this.#wake((at + STAMP) * 4);
    if (Atomics.load(this.#words, SERVING) === ticket) this.#passTurn(ticket);
    return true;
  }

  // The turn was `ticket`'s and it is over: the next ticket in flight that is not gone gets it.
  #passTurn(ticket: number): void {
    for (let current = ticket; ; ) {
      const next = (current + 1) | 0;
      // Only one of those who find the turn over moves it on.
      if (Atomics.compareExchange(this.#words, SERVING, current, next) !== current) return;
      if (Atomics.load(this.#words, ROOM_SLEEPERS) > 0) this.#wake(SERVING * 4);
      if (next === Atomics.load(this.#words, NEXT)) return;
      const at = this.#entry(next);
      for (;;) {
        const stamp = Atomics.load(this.#words, at + STAMP);
        // Not claimed yet: its owner sees SERVING once it claims. Held: its owner saw it already.
        if (!isFor(stamp, next) || phaseOf(stamp) === Phase.Held || phaseOf(stamp) === Phase.Granted) return;
        if (phaseOf(stamp) === Phase.Gone) break;
        const granted = stampOf(next, Phase.Granted);
        if (Atomics.compareExchange(this.#words, at + STAMP, stamp, granted) === stamp) {
          if (Atomics.load(this.#words, at + SLEEPING) !== 0) this.#wake((at + STAMP) * 4);
          return;
        }
      }
      current = next;
    }
  }
}
