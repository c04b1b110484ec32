// An HTTP app that hands its heavy work to a service. `/` answers at once; `/heavy?n=35` asks the
// "math" service's drones for fib(n), so the CPU time is spent there, not on this child's event loop,
// and `/` stays fast however many `/heavy` requests run. The client is the child's own (drover
// connects it before childInit); keep it from childInit and use it in every request.
import type { ServerResponse } from "node:http";
import { DispatchError, ErrorCode, isDroverError, type ServiceClient } from "../../src/client/index.ts";
import { defineApp } from "../../src/index.ts";
import type mathService from "./math.ts";

// Typed from the service module: method names, params and results are checked.
let math: ServiceClient<typeof mathService> | undefined;

function reply(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ app: "services", pid: process.pid, ...body }));
}

/** What a failed call means for the HTTP client. */
function statusOf(error: unknown): number {
  if (!isDroverError(error)) return 500;
  switch (error.code) {
    case ErrorCode.METHOD_FAILED:
      // The service refused the input (it throws with a code of its own); anything else is its fault.
      return error instanceof DispatchError && error.remote?.code === "MATH_BAD_INPUT" ? 400 : 502;
    case ErrorCode.DISPATCH_BACKLOG_FULL:
    case ErrorCode.STOPPING:
      return 503;
    case ErrorCode.DISPATCH_TIMEOUT:
      return 504;
    default:
      return 502;
  }
}

async function heavy(url: URL, response: ServerResponse): Promise<void> {
  if (!math) return reply(response, 503, { error: "no client of the services: is math in the config?" });
  const n = Number(url.searchParams.get("n") ?? 30);
  // A client that goes away cancels the call: its drone's ctx.signal aborts, or it never runs.
  const gone = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) gone.abort();
  });
  try {
    const result = await math.call("fib", { n }, { timeout: "10s", signal: gone.signal });
    reply(response, 200, result);
  } catch (error) {
    const code = isDroverError(error) ? error.code : "ERROR";
    reply(response, statusOf(error), { error: (error as Error).message, code });
  }
}

export default defineApp({
  handler: (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method !== "GET") return reply(response, 405, { error: "GET only" });
    if (url.pathname === "/") return reply(response, 200, { hello: "fast answer" });
    if (url.pathname === "/heavy") return void heavy(url, response);
    reply(response, 404, { error: "not found" });
  },
  childInit: ({ client }) => {
    math = client?.service<typeof mathService>("math");
  },
});
