// `npm run bench:lock`: how fast the global lock passes between two processes. Two processes take
// the lock in turn, each asking again as soon as it lets go, with nothing done while holding it. A
// holder writes the time (the system-wide monotonic clock) just before it unlocks; the next holder,
// if it is the other process, reads it as it gets the lock: one handoff. Reported: handoffs per
// second and the handoff latency's median and 99th percentile, next to the old lock's figures from
// the review of 2026-12-01 (D8), whose waiters polled on 1-8 ms timers.

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { GlobalLock, LOCK_BYTES } from "../../src/modules/resources/global-lock.ts";
import { RESOURCE_LAYOUT } from "../../src/modules/resources/resource-spec.ts";
import { createShm, openShm } from "../../src/shm/index.ts";
import { spawnNode } from "../../test/harness/process.ts";
import { ownFdPath } from "../../test/harness/temp.ts";
import { markdownTable } from "../report/markdown.ts";

// The data block's BigInt64 words.
const STOP = 0; // set by the parent: the children stop
const RELEASED_AT = 1; // hrtime (ns) just before the last unlock
const RELEASED_BY = 2; // the pid that let go last
const DATA_BYTES = 24;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: "string", default: "3" } },
});

if (positionals[0] === "child") await child(positionals[1] ?? "", positionals[2] ?? "");
else await main(Number(values.seconds));

async function main(seconds: number): Promise<void> {
  const lockShm = createShm(`drover-bench-lock-${process.pid}`, LOCK_BYTES, RESOURCE_LAYOUT.lock);
  const data = createShm(`drover-bench-lock-data-${process.pid}`, DATA_BYTES, RESOURCE_LAYOUT.memory);
  const children = [];
  try {
    // Held until both children ask, so that they start together.
    const gate = new GlobalLock("bench", "lock", lockShm.buffer);
    gate.tryLock();
    const script = fileURLToPath(import.meta.url);
    for (let i = 0; i < 2; i++) {
      children.push(
        await spawnNode(script, ["child", ownFdPath(lockShm.fd), ownFdPath(data.fd)], { ready: /asking/ }),
      );
    }
    const started = process.hrtime.bigint();
    gate.unlock();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    Atomics.store(new BigInt64Array(data.buffer), STOP, 1n);
    const results = [];
    for (const proc of children) {
      const status = await proc.waitForExit(10_000);
      if (status.code !== 0) throw new Error(`a child failed: ${proc.output()}`);
      results.push(JSON.parse(proc.output().trim().split("\n").at(-1) ?? "{}") as ChildResult);
    }
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    report(results, elapsed);
  } finally {
    for (const proc of children) await proc.stop();
    lockShm.close();
    data.close();
  }
}

interface ChildResult {
  readonly acquisitions: number;
  /** Handoff latencies in µs: from the other process's unlock to this one's lock. */
  readonly handoffs: number[];
}

async function child(lockPath: string, dataPath: string): Promise<void> {
  const lock = new GlobalLock("bench", "lock", openShm(lockPath, RESOURCE_LAYOUT.lock).buffer);
  const words = new BigInt64Array(openShm(dataPath, RESOURCE_LAYOUT.memory).buffer);
  const me = BigInt(process.pid);
  const handoffs: number[] = [];
  let acquisitions = 0;
  let turn = lock.lock();
  console.log("asking");
  for (;;) {
    await turn;
    const now = process.hrtime.bigint();
    if (Atomics.load(words, STOP) !== 0n) {
      lock.unlock();
      break;
    }
    acquisitions++;
    if (Atomics.load(words, RELEASED_BY) !== me && Atomics.load(words, RELEASED_AT) !== 0n) {
      handoffs.push(Number(now - Atomics.load(words, RELEASED_AT)) / 1000);
    }
    Atomics.store(words, RELEASED_BY, me);
    Atomics.store(words, RELEASED_AT, process.hrtime.bigint());
    lock.unlock();
    turn = lock.lock();
  }
  console.log(JSON.stringify({ acquisitions, handoffs } satisfies ChildResult));
}

function report(results: readonly ChildResult[], elapsed: number): void {
  const latencies = results.flatMap((result) => result.handoffs).sort((a, b) => a - b);
  const acquisitions = results.reduce((sum, result) => sum + result.acquisitions, 0);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const ms = (us: number) => `${(us / 1000).toFixed(3)} ms`;
  console.log(
    markdownTable(
      ["global lock, 2 processes, empty critical section", "handoff p50", "handoff p99", "acquisitions/s"],
      [
        [
          "ticket lock + futex (this build)",
          ms(at(0.5)),
          ms(at(0.99)),
          Math.round(acquisitions / elapsed).toLocaleString("en"),
        ],
        // The review measured ranges, not percentiles: 1.1-2.9 ms per handoff, and 6.2-7.9 ms when a
        // waiter's back-off timer was already pending (lock-8ms.ts).
        ["pid word + 1-8 ms polling (review D8)", "1.1-2.9 ms", "6.2-7.9 ms", "~100-1,000"],
      ],
      ["left", "right", "right", "right"],
    ),
  );
  const shares = results.map((result) => result.acquisitions).join(" / ");
  console.log(
    `\n${latencies.length} handoffs in ${elapsed.toFixed(1)} s; acquisitions per process: ${shares}.`,
  );
}
