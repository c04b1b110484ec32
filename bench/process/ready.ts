// Readiness: a target is ready when it answers HTTP, and a multi-process target when every one of its
// workers has answered (the bench server tells its pid at `/__pid`), so no run measures a half-started
// pool.
import { request } from "node:http";
import { setTimeout as delay } from "node:timers/promises";

/** GETs `/__pid` on a fresh connection; resolves the pid that answered, or undefined on any failure. */
export function askPid(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/__pid", agent: false, timeout: 1_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve(res.statusCode === 200 ? Number(body) : undefined));
      res.on("error", () => resolve(undefined));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

/**
 * Waits until `workers` distinct pids have answered on `port` (new connection each time). Throws if
 * none answers within `timeoutMs`; returns the pids seen (maybe fewer than asked) otherwise.
 */
export async function waitForWorkers(
  port: number,
  workers: number,
  timeoutMs: number,
  isDead: () => boolean,
): Promise<number[]> {
  const seen = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  while (seen.size < workers && Date.now() < deadline) {
    if (isDead()) throw new Error("the target exited while starting");
    const pid = await askPid(port);
    if (pid !== undefined) seen.add(pid);
    // Kernel-balanced pools may hand several probes in a row to one worker: probe gently, not in a loop
    // that fills the port range with TIME_WAIT sockets.
    await delay(pid === undefined ? 50 : 10);
  }
  if (seen.size === 0) throw new Error(`nothing answered HTTP on 127.0.0.1:${port} within ${timeoutMs} ms`);
  return [...seen];
}
