// The deadlines of one pool's calls: a heap ordered by deadline and one timer, armed for the soonest,
// instead of a timer per call. A call leaves the heap when it settles (it keeps its place in the heap,
// so that takes no search), so the heap holds only calls still waiting or running. The timer is left
// armed when its call settles early: it fires once per deadline at most, finds what is due by then,
// and is armed again for the next.

/** What the heap keeps: a deadline (Date.now() milliseconds) and the item's place in the heap. */
export interface Timed {
  readonly deadline: number;
  /** Its index in the heap, -1 when it is in none: the heap's own. */
  deadlineIndex: number;
}

export class Deadlines<T extends Timed> {
  readonly #heap: T[] = [];
  readonly #expired: (item: T) => void;
  #timer: NodeJS.Timeout | undefined;
  // When the timer fires; Infinity while it is not armed.
  #armedFor = Number.POSITIVE_INFINITY;

  /** `expired` runs for each item whose deadline passed while it was in the heap (taken out first). */
  constructor(expired: (item: T) => void) {
    this.#expired = expired;
  }

  get size(): number {
    return this.#heap.length;
  }

  add(item: T): void {
    const heap = this.#heap;
    item.deadlineIndex = heap.length;
    heap.push(item);
    this.#up(item.deadlineIndex);
    if (item.deadline < this.#armedFor) this.#arm(item.deadline);
  }

  /** Takes `item` out (it settled before its deadline); nothing if it is not in. */
  remove(item: T): void {
    const heap = this.#heap;
    const at = item.deadlineIndex;
    if (at < 0 || heap[at] !== item) return;
    item.deadlineIndex = -1;
    const last = heap.pop() as T;
    if (at === heap.length) return;
    heap[at] = last;
    last.deadlineIndex = at;
    this.#down(at);
    this.#up(last.deadlineIndex);
  }

  /**
   * Expires now what is due, before its timer runs: a loaded process reads other work first, and a
   * call whose deadline passed must not be taken for it meanwhile.
   */
  expireDue(): void {
    const heap = this.#heap;
    const now = Date.now();
    for (let due = heap[0]; due !== undefined && due.deadline <= now; due = heap[0]) {
      this.remove(due);
      this.#expired(due);
    }
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    this.expireDue();
    const next = this.#heap[0];
    if (next !== undefined && next.deadline < this.#armedFor) this.#arm(next.deadline);
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#armedFor = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - Date.now()));
    // A pending deadline is no reason to keep a process alive: the calls' own sockets are.
    this.#timer.unref();
  }

  #up(at: number): void {
    const heap = this.#heap;
    const item = heap[at] as T;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = heap[parentAt] as T;
      if (parent.deadline <= item.deadline) break;
      heap[at] = parent;
      parent.deadlineIndex = at;
      at = parentAt;
    }
    heap[at] = item;
    item.deadlineIndex = at;
  }

  #down(at: number): void {
    const heap = this.#heap;
    const item = heap[at] as T;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && (heap[right] as T).deadline < (heap[left] as T).deadline ? right : left;
      const smaller = heap[child] as T;
      if (smaller.deadline >= item.deadline) break;
      heap[at] = smaller;
      smaller.deadlineIndex = at;
      at = child;
    }
    heap[at] = item;
    item.deadlineIndex = at;
  }
}
