// The bench's own load client, run in a process of its own (argv[2]: a NodeClientSpec as JSON; stdout:
// one `BENCH_RESULT {...}` line). It keeps `connections` request loops busy for the duration, one
// socket each (node:http, keep-alive or a new connection per request), and records latency per class:
// in `mixed`, each request goes to the heavy path with probability 1/`heavyEvery`, drawn from a
// generator seeded per loop (the same sequence every run), and the fast and heavy requests get
// separate histograms. A fixed pattern (every 20th request, staggered by loop) would tie the heavy
// requests' timing to the order connections opened in, and so to how a server spread them: with
// neighbouring loops sharing a phase, an even split stalls every process at once.
import { Agent, request } from "node:http";
import { createHistogram, performance, type RecordableHistogram } from "node:perf_hooks";
import type { Errors, Latency, LoadResult } from "./result.ts";

export interface NodeClientSpec {
  readonly origin: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly timeoutSeconds: number;
  readonly newConnectionPerRequest: boolean;
  readonly fastPath: string;
  /** Send every `heavyEvery`-th request to `heavyPath`; 0 sends none. */
  readonly heavyEvery: number;
  readonly heavyPath: string;
}

const CONNECT_CODES = new Set(["ECONNREFUSED", "EADDRNOTAVAIL", "ENETUNREACH", "EHOSTUNREACH"]);

class RequestTimeout extends Error {}

function histogram(): RecordableHistogram {
  return createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
}

function latencyOf(h: RecordableHistogram): Latency {
  // Recorded in microseconds; reported in milliseconds. An empty histogram reports zeros.
  const at = (p: number) => (h.count > 0 ? h.percentile(p) / 1000 : 0);
  return { p50: at(50), p99: at(99), p999: at(99.9), max: h.count > 0 ? h.max / 1000 : 0 };
}

async function main(spec: NodeClientSpec): Promise<LoadResult> {
  const { hostname, port } = new URL(spec.origin);
  const fast = histogram();
  const heavy = histogram();
  const errors = { connect: 0, read: 0, write: 0, timeout: 0, status: 0 };
  const started = performance.now();
  const deadline = started + spec.durationSeconds * 1000;
  const agents: Agent[] = [];

  // One request; resolves when it is done either way. Nothing finishing after the deadline counts.
  const once = (agent: Agent, isHeavy: boolean) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(
        {
          host: hostname,
          port,
          agent,
          path: isHeavy ? spec.heavyPath : spec.fastPath,
          headers: spec.newConnectionPerRequest ? { connection: "close" } : {},
        },
        (res) => {
          res.on("error", () => {});
          res.on("end", () => {
            const now = performance.now();
            if (now <= deadline) {
              (isHeavy ? heavy : fast).record(Math.max(1, Math.round((now - t0) * 1000)));
              const status = res.statusCode ?? 0;
              if (status < 200 || status > 399) errors.status++;
            }
            resolve();
          });
          res.resume();
        },
      );
      req.setTimeout(spec.timeoutSeconds * 1000, () => req.destroy(new RequestTimeout()));
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (performance.now() <= deadline) errors[classify(error)]++;
        resolve();
      });
      req.end();
    });

  const loop = async (index: number) => {
    const agent = new Agent({ keepAlive: !spec.newConnectionPerRequest, maxSockets: 1 });
    agents.push(agent);
    const random = seededRandom(index + 1);
    while (performance.now() < deadline) {
      await once(agent, spec.heavyEvery > 0 && random() * spec.heavyEvery < 1);
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, (_, i) => loop(i)));
  for (const agent of agents) agent.destroy();

  const seconds = spec.durationSeconds;
  const requests = fast.count + heavy.count;
  return {
    generator: "node-client",
    durationSeconds: seconds,
    requests,
    requestsPerSecond: requests / seconds,
    latency: latencyOf(fast),
    errors,
    ...(spec.heavyEvery > 0 ? { heavy: { requests: heavy.count, latency: latencyOf(heavy) } } : {}),
  };
}

function classify(error: NodeJS.ErrnoException): keyof Errors {
  if (error instanceof RequestTimeout) return "timeout";
  if (error.code && CONNECT_CODES.has(error.code)) return "connect";
  if (error.code === "EPIPE") return "write";
  return "read";
}

if (import.meta.main) {
  const result = await main(JSON.parse(process.argv[2] ?? "{}") as NodeClientSpec);
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

/** mulberry32: a small, fast generator of numbers in [0, 1), the same sequence for the same seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
