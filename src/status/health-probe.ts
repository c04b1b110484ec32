// `drover status`'s view of the master's health endpoints: the same GET /livez and /readyz a
// Kubernetes probe makes, on the health listener the config names. A master too stuck to answer
// shows as such (the probe gives up after a second), which the scoreboard alone cannot tell.
import { get } from "node:http";
import { resolveConfig } from "../config/index.ts";
import { formatListener } from "../config/listen.ts";
import type { ResolvedConfig, TcpListener } from "../config/types/resolved-config.ts";

const PROBE_TIMEOUT_MS = 1_000;

/** One endpoint's answer: its HTTP status and JSON body, or why there was none. */
export type ProbeResult =
  | { readonly status: number; readonly body: unknown }
  | { readonly status: null; readonly error: string };

export interface HealthStatus {
  /** The health listener, as the config names it. */
  readonly listen: string;
  readonly livez: ProbeResult;
  readonly readyz: ProbeResult;
}

/** The health listener of the config a command reads (-c, or the one here); undefined without one. */
export async function configuredHealth(cwd: string, file: string | undefined) {
  try {
    return (await resolveConfig({ cwd, file })).config.health;
  } catch {
    return undefined;
  }
}

/** Probes both endpoints; null when the config has no health listener. */
export async function probeHealth(health: ResolvedConfig["health"]): Promise<HealthStatus | null> {
  if (health === undefined) return null;
  const [livez, readyz] = await Promise.all([
    probe(health.listen, "/livez"),
    probe(health.listen, "/readyz"),
  ]);
  return { listen: formatListener(health.listen), livez, readyz };
}

/** The health lines of `drover status`'s text (none without a health listener). */
export function formatHealth(health: HealthStatus | null): string[] {
  if (health === null) return [];
  const line = (name: string, result: ProbeResult) => {
    if (result.status === null) return `  ${name}: no answer (${result.error})`;
    const body = result.body as { state?: unknown; reason?: unknown } | undefined;
    const said = typeof body?.reason === "string" ? `: ${body.reason}` : "";
    return `  ${name}: ${result.status} ${typeof body?.state === "string" ? body.state : ""}${said}`;
  };
  return [
    `Health endpoints on ${health.listen}:`,
    line("livez", health.livez),
    line("readyz", health.readyz),
  ];
}

function probe(listener: TcpListener, path: string): Promise<ProbeResult> {
  // A wildcard listener is reached on loopback.
  const host = listener.host === "0.0.0.0" ? "127.0.0.1" : listener.host === "::" ? "::1" : listener.host;
  return new Promise((resolve) => {
    const request = get(
      { host, port: listener.port, path, agent: false, timeout: PROBE_TIMEOUT_MS },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: parseBody(text) }));
        response.on("error", (error) => resolve({ status: null, error: error.message }));
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)));
    request.on("error", (error) => resolve({ status: null, error: error.message }));
  });
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
