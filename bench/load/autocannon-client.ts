// The autocannon fallback, run in a process of its own (like wrk): argv[2] is a LoadSpec as JSON; one
// `BENCH_RESULT {...}` line with a LoadResult goes to stdout. Errors are sorted into wrk's classes from
// each failed request's error code, so the report has the same fields whichever generator ran.
import autocannon from "autocannon";
import type { Errors, LoadResult, LoadSpec } from "./result.ts";

const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
const errors = { connect: 0, read: 0, write: 0, timeout: 0, status: 0 };
const CONNECT_CODES = new Set(["ECONNREFUSED", "EADDRNOTAVAIL", "ENETUNREACH", "EHOSTUNREACH", "ETIMEDOUT"]);

function classify(error: NodeJS.ErrnoException): keyof Errors {
  if (error.message === "request timed out") return "timeout";
  if (error.code && CONNECT_CODES.has(error.code)) return "connect";
  if (error.code === "EPIPE") return "write";
  return "read";
}

const instance = autocannon(
  {
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSeconds,
    timeout: spec.timeoutSeconds,
    headers: spec.newConnectionPerRequest ? { connection: "close" } : {},
  },
  (error, result) => {
    if (error) throw error;
    const requests = result.requests.total;
    const out: LoadResult = {
      generator: "autocannon",
      durationSeconds: result.duration,
      requests,
      requestsPerSecond: result.duration > 0 ? requests / result.duration : 0,
      latency: {
        p50: result.latency.p50,
        p99: result.latency.p99,
        p999: result.latency.p99_9,
        max: result.latency.max,
      },
      errors: { ...errors, status: result.non2xx },
    };
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(out)}\n`);
  },
);
instance.on("reqError", (error: NodeJS.ErrnoException) => {
  errors[classify(error)]++;
});
