// Entry of every bench server process but drover's: listens on BENCH_PORT with the app of BENCH_APP.
// Targets run it directly, under node:cluster, as bare reusePort processes or under PM2.
import { createServer } from "node:http";
import { benchHandler } from "./handler.ts";

const port = Number(process.env.BENCH_PORT);
const host = process.env.BENCH_HOST ?? "127.0.0.1";
const reusePort = process.env.BENCH_REUSE_PORT === "1";
if (!Number.isInteger(port) || port <= 0) {
  console.error(`bench server: bad BENCH_PORT=${process.env.BENCH_PORT}`);
  process.exit(2);
}
const server = createServer(
  benchHandler(process.env.BENCH_APP ?? "hello", Number(process.env.BENCH_HEAVY_ITERATIONS ?? "0")),
);
server.listen({ port, host, reusePort });

// Stop at once on the usual signals; the bench kills the whole process group anyway.
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => process.exit(0));
