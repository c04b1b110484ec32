// Reads wrk's output: the JSON line printed by report.lua (percentiles, duration, request count), and
// the error lines wrk prints itself ("Socket errors: ..." and "Non-2xx or 3xx responses: ...").
import type { Errors, LoadResult } from "./result.ts";

interface LuaSummary {
  duration_us: number;
  requests: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latency_us: { p50: number; p99: number; p999: number; max: number };
}

/** Parses one wrk run's stdout into a LoadResult; throws if report.lua's line is missing. */
export function parseWrkOutput(stdout: string): LoadResult {
  const line = stdout.match(/^BENCH_RESULT (\{.*\})$/m)?.[1];
  if (!line) throw new Error(`wrk printed no BENCH_RESULT line:\n${stdout}`);
  const summary = JSON.parse(line) as LuaSummary;
  const seconds = summary.duration_us / 1e6;
  const ms = (us: number) => us / 1000;
  return {
    generator: "wrk",
    durationSeconds: seconds,
    requests: summary.requests,
    requestsPerSecond: seconds > 0 ? summary.requests / seconds : 0,
    latency: {
      p50: ms(summary.latency_us.p50),
      p99: ms(summary.latency_us.p99),
      p999: ms(summary.latency_us.p999),
      max: ms(summary.latency_us.max),
    },
    errors: parseWrkErrors(stdout),
  };
}

/** The error counts from wrk's own text; both lines are absent when there was no error. */
export function parseWrkErrors(stdout: string): Errors {
  const socket = stdout.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const status = stdout.match(/Non-2xx or 3xx responses: (\d+)/);
  return {
    connect: Number(socket?.[1] ?? 0),
    read: Number(socket?.[2] ?? 0),
    write: Number(socket?.[3] ?? 0),
    timeout: Number(socket?.[4] ?? 0),
    status: Number(status?.[1] ?? 0),
  };
}
