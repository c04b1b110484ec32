// Entry of every bench server process: picks the app from BENCH_APP and listens on BENCH_PORT. Targets
// run it directly, under node:cluster, as bare reusePort processes or under PM2; `/__pid` tells which
// process answered, so the bench can wait until every worker is up.
import { createServer, type RequestListener } from "node:http";
import { hello } from "./hello.ts";
import { mixed } from "./mixed.ts";

const app = process.env.BENCH_APP ?? "hello";
const port = Number(process.env.BENCH_PORT);
const host = process.env.BENCH_HOST ?? "127.0.0.1";
const reusePort = process.env.BENCH_REUSE_PORT === "1";
const heavyIterations = Number(process.env.BENCH_HEAVY_ITERATIONS ?? "0");

const handlers: Record<string, () => RequestListener> = {
  hello: () => hello,
  mixed: () => mixed(heavyIterations),
};
const make = handlers[app];
if (!make || !Number.isInteger(port) || port <= 0) {
  console.error(`bench server: bad BENCH_APP=${app} or BENCH_PORT=${process.env.BENCH_PORT}`);
  process.exit(2);
}
const handler = make();
const pid = String(process.pid);

const server = createServer((request, response) => {
  if (request.url === "/__pid") {
    response.writeHead(200, { "content-type": "text/plain", "content-length": String(pid.length) });
    response.end(pid);
    return;
  }
  handler(request, response);
});
server.listen({ port, host, reusePort });

// Stop at once on the usual signals; the bench kills the whole process group anyway.
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => process.exit(0));
