// workerpool in process mode behind a socket: calls arrive on a Unix socket (frame-server.ts) and each
// runs in one of BENCH_WORKERS worker processes that workerpool forks (min = max: started up front).
import { fileURLToPath } from "node:url";
import { pool as workerPool } from "workerpool";
import { runPeer } from "./frame-server.ts";

const workers = Number(process.env.BENCH_WORKERS ?? "2");
const pool = workerPool(fileURLToPath(new URL("./workerpool-worker.ts", import.meta.url)), {
  workerType: "process",
  minWorkers: workers,
  maxWorkers: workers,
});

// workerpool's own Promise type is not a PromiseLike of the standard one: await turns it into one.
await runPeer(
  "workerpool",
  async (method, params) => await pool.exec(method, [params]),
  async () => {
    await pool.terminate();
  },
);
