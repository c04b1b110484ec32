// shmCounter: the module of Apache's start-up notes, done without their hacks. postConfig (in the
// master, before any child exists) creates a shared counter and a global lock, under names that stay
// the same across restarts; every child attaches both in childInit, counts each request under the lock
// with a plain read-modify-write, and answers the count at /shm-counter. A graceful restart keeps the
// count: new and old children share the one counter.
import type { ServerResponse } from "node:http";
import { defineModule } from "../../define.ts";
import type { ModuleFactory } from "../../load.ts";
import type { LockResult } from "../../resources/global-lock.ts";
import { ModuleOptions } from "../options.ts";
import { queryIfPath } from "../request-path.ts";

const NAME = "shmCounter";

const shmCounter: ModuleFactory = (options) => {
  const path = new ModuleOptions(NAME, options, ["path"]).path("path", "/shm-counter");
  return defineModule({
    name: NAME,
    hooks: {
      postConfig({ shm, locks }) {
        shm.create("counter", 8);
        locks.create("counter");
      },
      childInit({ shm, locks, requests, log }) {
        const counter = new BigInt64Array(shm.attach("counter").buffer, 0, 1);
        const lock = locks.attach("counter");
        const count = (taken: LockResult) => {
          try {
            if (taken === "recovered") {
              log.warn("the counter's lock was recovered from a child that died holding it; counting on");
            }
            // Deliberately not atomic: the lock alone keeps two children from losing an update.
            counter[0] = (counter[0] ?? 0n) + 1n;
          } finally {
            lock.unlock();
          }
        };
        requests.use((request, response) => {
          if (queryIfPath(request.url ?? "", path) !== undefined)
            return answer(response, Atomics.load(counter, 0));
          const taken = lock.tryLock();
          if (taken) {
            count(taken);
            return false;
          }
          // Busy: the request waits (without blocking the event loop) until it is counted.
          return lock.lock().then((result) => {
            count(result);
            return false;
          });
        });
      },
    },
  });
};

export default shmCounter;

function answer(response: ServerResponse, count: bigint): true {
  response.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  response.end(`${count}\n`);
  return true;
}
