// What the global-lock tests share: lock memory, lock objects over it, processes that use it (see
// fixtures/lock-user.ts), all cleaned up after the test, every process proved gone.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { GlobalLock, LOCK_BYTES } from "../../../src/modules/resources/global-lock.ts";
import { RESOURCE_LAYOUT } from "../../../src/modules/resources/resource-spec.ts";
import { createShm, type ShmSegment } from "../../../src/shm/index.ts";
import { isAlive, type SpawnedProcess, spawnNode } from "../../harness/process.ts";
import { ownFdPath, testShmName } from "../../harness/temp.ts";

const USER = fileURLToPath(new URL("fixtures/lock-user.ts", import.meta.url));
const READY = { hold: /holding \d+/, wait: /waiting \d+/, "wait-when-told": /ready \d+/ } as const;

export class LockRig {
  readonly #segments: ShmSegment[] = [];
  readonly #processes: SpawnedProcess[] = [];

  constructor(t: TestContext) {
    t.after(() => this.close());
  }

  /** Fresh, zeroed lock memory (LOCK_BYTES unless told). */
  memory(bytes = LOCK_BYTES): ShmSegment {
    const segment = createShm(testShmName("lock"), bytes, RESOURCE_LAYOUT.lock);
    this.#segments.push(segment);
    return segment;
  }

  /** A lock object of this process over `segment`. */
  lock(segment: ShmSegment): GlobalLock {
    return new GlobalLock("test", "lock", segment.buffer);
  }

  /** A process that holds the lock until killed, or that waits for it, now or when told (see fixtures/lock-user.ts). */
  async user(mode: keyof typeof READY, segment: ShmSegment): Promise<SpawnedProcess> {
    const proc = await spawnNode(USER, [mode, ownFdPath(segment.fd)], { ready: READY[mode] });
    this.#processes.push(proc);
    return proc;
  }

  /** fixtures/lock-user.ts with these arguments. */
  async spawn(args: readonly string[]): Promise<SpawnedProcess> {
    const proc = await spawnNode(USER, args);
    this.#processes.push(proc);
    return proc;
  }

  async close(): Promise<void> {
    for (const proc of this.#processes.splice(0)) {
      await proc.stop();
      assert.equal(isAlive(proc.pid), false);
    }
    for (const segment of this.#segments.splice(0)) segment.close();
  }
}
