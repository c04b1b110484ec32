// The request handler every bench server runs, whoever supervises it: the app named by BENCH_APP, plus
// `/__pid`, which tells which process answered so the bench can wait until every worker is up.
import type { RequestListener } from "node:http";
import { hello } from "./hello.ts";
import { mixed } from "./mixed.ts";

export function benchHandler(app: string, heavyIterations: number): RequestListener {
  const handlers: Record<string, () => RequestListener> = {
    hello: () => hello,
    mixed: () => mixed(heavyIterations),
  };
  const make = handlers[app];
  if (!make) throw new Error(`bench server: unknown BENCH_APP=${app}`);
  return answeringPid(make());
}

/** `handler`, plus `/__pid` answered with this process's pid. */
export function answeringPid(handler: RequestListener): RequestListener {
  const pid = String(process.pid);
  return (request, response) => {
    if (request.url === "/__pid") {
      response.writeHead(200, { "content-type": "text/plain", "content-length": String(pid.length) });
      response.end(pid);
      return;
    }
    handler(request, response);
  };
}
