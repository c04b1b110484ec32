// What one measured load run yields, whichever generator produced it. Latencies are in milliseconds.

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Every way a request can fail, counted separately (wrk's classes). */
export interface Errors {
  /** Could not connect. */
  readonly connect: number;
  /** The connection failed or closed while reading the response. */
  readonly read: number;
  /** Writing the request failed. */
  readonly write: number;
  /** No response within the generator's timeout. */
  readonly timeout: number;
  /** Responses other than 2xx or 3xx. */
  readonly status: number;
}

export interface LoadResult {
  /** Which program generated the load: "wrk", "autocannon" or "mixed-client". */
  readonly generator: string;
  readonly durationSeconds: number;
  /** Completed responses of any status. */
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Latency of every request, or, in `mixed`, of the fast requests only. */
  readonly latency: Latency;
  readonly errors: Errors;
  /** `mixed` only: the heavy requests, reported apart. */
  readonly heavy?: { readonly requests: number; readonly latency: Latency };
}

export const NO_ERRORS: Errors = { connect: 0, read: 0, write: 0, timeout: 0, status: 0 };

/** The sum of all error classes. */
export function totalErrors(errors: Errors): number {
  return errors.connect + errors.read + errors.write + errors.timeout + errors.status;
}

/** What a load generator is asked to do. */
export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Send `Connection: close`, so every request opens a new connection. */
  readonly newConnectionPerRequest: boolean;
  /** Per-request timeout, the same for every generator. */
  readonly timeoutSeconds: number;
  readonly signal?: AbortSignal;
}
