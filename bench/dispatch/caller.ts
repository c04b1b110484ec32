// The client side of every target: drover's own client (`connect({ socket })` of drover/client), so
// what differs between targets is only what sits behind the socket.
import { setTimeout as delay } from "node:timers/promises";
import { connect } from "../../src/client/index.ts";
import type { Call } from "./loop.ts";

export interface Caller {
  readonly call: Call;
  close(): Promise<void>;
}

export async function openCaller(socket: string): Promise<Caller> {
  const client = await connect({ socket });
  const service = client.service("bench");
  return {
    call: (method, params) => service.call(method, params),
    close: () => client.close(),
  };
}

/**
 * Waits until `workers` distinct workers have answered: bursts of `burst` calls that each hold their
 * worker `holdMs`, so that a burst spreads over every worker that is up. Returns the workers seen. The
 * default burst is more calls than a drone of droneConcurrency 8 takes at once: the LIFO stack fills
 * the warmest worker first, so a small burst could all land on one.
 */
export async function waitForWorkers(
  call: Call,
  workers: number,
  timeoutMs = 30_000,
  { burst = Math.max(64, workers * 2), holdMs = 20 } = {},
): Promise<string[]> {
  const seen = new Set<string>();
  const deadline = performance.now() + timeoutMs;
  while (seen.size < workers) {
    if (performance.now() > deadline) {
      throw new Error(`only ${seen.size} of ${workers} workers answered within ${timeoutMs} ms`);
    }
    const answers = await Promise.all(Array.from({ length: burst }, () => call("who", { holdMs })));
    for (const id of answers) seen.add(String(id));
    if (seen.size < workers) await delay(50);
  }
  return [...seen];
}
