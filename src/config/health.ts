// The `health` field: the master's own listener for /livez and /readyz. It is TCP only (Kubernetes
// probes, load balancers and `curl` all speak TCP) and must not take an address an app listener has,
// where a child, not the master, would answer.
import { describeValue, isRecord } from "./errors.ts";
import { findListenClashes, formatListener, readListen } from "./listen.ts";
import type { ConfigProblem } from "./types/problem.ts";
import type { Listener, ResolvedConfig, TcpListener } from "./types/resolved-config.ts";

const HEALTH_KEYS = ["listen"];

export function readHealth(
  value: unknown,
  listen: readonly Listener[],
  baseDir: string,
  problems: ConfigProblem[],
): ResolvedConfig["health"] {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    problems.push({
      field: "health",
      reason: `must be an object, got ${describeValue(value)}: write health: { listen: "127.0.0.1:9000" }`,
    });
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!HEALTH_KEYS.includes(key)) {
      problems.push({
        field: `health.${key}`,
        reason: "is not a health setting: its only setting is listen",
      });
    }
  }
  if (value.listen === undefined) {
    problems.push({
      field: "health.listen",
      reason: 'is missing: give the address the master answers /livez and /readyz on, e.g. "127.0.0.1:9000"',
    });
    return undefined;
  }
  const before = problems.length;
  const listener = readListen(value.listen, "health.listen", baseDir, problems);
  if (listener === undefined || problems.length > before) return undefined;
  if (listener.kind !== "tcp") {
    problems.push({
      field: "health.listen",
      reason: `must be a TCP address, got the socket path ${listener.path}: probes connect over TCP; write a port or "host:port"`,
    });
    return undefined;
  }
  clashWithApp(listener, listen, problems);
  return problems.length > before ? undefined : Object.freeze({ listen: Object.freeze(listener) });
}

// The app's listeners are the children's: a health address among them would be answered by the app.
function clashWithApp(health: TcpListener, listen: readonly Listener[], problems: ConfigProblem[]): void {
  for (const listener of listen) {
    const found: ConfigProblem[] = [];
    findListenClashes(
      [
        { field: "listen", listener },
        { field: "health.listen", listener: health },
      ],
      found,
    );
    for (const problem of found) {
      problems.push({
        field: problem.field,
        reason: `${problem.reason.replace(/: remove one of them$/, "")}: the health listener needs an address of its own (the app's listeners are answered by the children)`,
      });
    }
  }
}

/**
 * On a reload, the health listener of the config in force: it is opened once, for the master's life
 * (probes must not lose it to a reload), and a change is said in a warning.
 */
export function keepHealth(
  health: ResolvedConfig["health"],
  previous: ResolvedConfig | undefined,
  warnings: string[],
): ResolvedConfig["health"] {
  if (previous === undefined) return health;
  const [was, now] = [previous.health?.listen, health?.listen];
  if (was?.host !== now?.host || was?.port !== now?.port) {
    const kept = was ? formatListener(was) : "none";
    warnings.push(
      `health.listen changed to ${now ? formatListener(now) : "none"}: it stays ${kept} until the master starts again (drover stop, then start)`,
    );
  }
  return previous.health;
}
