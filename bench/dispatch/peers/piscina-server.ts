// piscina behind a socket: calls arrive on a Unix socket (frame-server.ts) and each runs in one of
// BENCH_WORKERS piscina worker threads (min = max, so the pool never grows or shrinks mid-run).
import { Piscina } from "piscina";
import { runPeer } from "./frame-server.ts";

const threads = Number(process.env.BENCH_WORKERS ?? "2");
const pool = new Piscina({
  filename: new URL("./piscina-worker.ts", import.meta.url).href,
  minThreads: threads,
  maxThreads: threads,
});

await runPeer(
  "piscina",
  (method, params) => pool.run(params, { name: method }),
  () => pool.destroy(),
);
