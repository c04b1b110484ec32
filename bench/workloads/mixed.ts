// `mixed`: 5% of requests burn about 20 ms of CPU. A fast request stuck behind a heavy one in the same
// process waits for it, so the fast requests' p99 shows how well a process model keeps work off busy
// workers. wrk cannot tell the two kinds apart, so the bench's own client drives it.
import { runNodeClient } from "../load/node.ts";
import type { Workload } from "./workload.ts";

/** One request in this many is heavy, on average: 5%. */
export const HEAVY_EVERY = 20;

export const mixed: Workload = {
  id: "mixed",
  label: "mixed, 5% heavy",
  description: `keep-alive; each request is \`/heavy\` with probability 1/${HEAVY_EVERY} (seeded per connection), the rest \`/fast\``,
  app: "mixed",
  mixed: true,
  generatorName: () => "node-client",
  run: (context) =>
    runNodeClient(
      {
        origin: `http://127.0.0.1:${context.port}`,
        connections: context.connections,
        durationSeconds: context.durationSeconds,
        timeoutSeconds: context.timeoutSeconds,
        newConnectionPerRequest: false,
        fastPath: "/fast",
        heavyEvery: HEAVY_EVERY,
        heavyPath: "/heavy",
      },
      context.signal,
    ),
};
