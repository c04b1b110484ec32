// A real nats-server (Debian's) for the NATS transport's tests: on 127.0.0.1, on a free port it picks
// itself (`-p -1`, the port read from its ports file), in a temp folder of its own. `stop()` ends it and
// proves it gone; `restart()` starts it again on the same port (an outage and its end).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type SpawnedProcess, spawnProcess } from "../harness/process.ts";
import { makeTempDir, type TempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";

export const NATS_SERVER = "nats-server";

export interface RunningNats {
  /** "127.0.0.1:<port>" */
  readonly url: string;
  readonly port: number;
  readonly proc: SpawnedProcess;
  /** The server's view of its client connections (its /connz monitoring endpoint). */
  connections(): Promise<NatsConnectionInfo[]>;
  /** Stops the server (proving it gone); the url stays the same for restart(). */
  halt(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsConnectionInfo {
  readonly name?: string;
  /** Messages the client published. */
  readonly in_msgs: number;
  /** Messages delivered to the client. */
  readonly out_msgs: number;
  readonly subscriptions: number;
}

export interface NatsOptions {
  readonly jetstream?: boolean;
  /** Only clients with this user and password. */
  readonly user?: { readonly user: string; readonly pass: string };
  /** TLS only, with this certificate and key (files). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** A config file's text (an `authorization` block, say). */
  readonly config?: string;
}

/** A nats-server of its own on a free loopback port. */
export async function startNats(options: NatsOptions = {}): Promise<RunningNats> {
  const dir = makeTempDir("drover-test-nats-");
  const { jetstream, user, tls, config } = options;
  const configFile = join(dir.path, "nats.conf");
  if (config !== undefined) writeFileSync(configFile, config);
  const extra = [
    ...(config !== undefined ? ["-c", configFile] : []),
    ...(jetstream ? ["-js", "-sd", join(dir.path, "js")] : []),
    ...(user ? ["--user", user.user, "--pass", user.pass] : []),
    ...(tls ? ["--tls", "--tlscert", tls.cert, "--tlskey", tls.key] : []),
  ];
  let proc: SpawnedProcess;
  try {
    proc = await spawnProcess(
      NATS_SERVER,
      ["-a", "127.0.0.1", "-p", "-1", "-m", "-1", "--ports_file_dir", dir.path, ...extra],
      {
        ready: /Server is ready/,
        readyTimeoutMs: 15_000,
      },
    );
  } catch (error) {
    dir.remove();
    throw error;
  }
  const { port, monitor } = await readPorts(dir, proc.pid);
  const url = `127.0.0.1:${port}`;
  let current: SpawnedProcess | undefined = proc;
  const halt = async () => {
    const running = current;
    current = undefined;
    await running?.stop(5_000);
  };
  return {
    url,
    port,
    get proc() {
      return current ?? proc;
    },
    connections: async () => {
      const response = await fetch(`http://127.0.0.1:${monitor}/connz?subs=0`);
      return ((await response.json()) as { connections: NatsConnectionInfo[] }).connections;
    },
    halt,
    restart: async () => {
      await halt();
      current = await spawnProcess(
        NATS_SERVER,
        ["-a", "127.0.0.1", "-p", String(port), "-m", String(monitor), ...extra],
        {
          ready: /Server is ready/,
          readyTimeoutMs: 15_000,
        },
      );
    },
    stop: async () => {
      try {
        await halt();
      } finally {
        dir.remove();
      }
    },
  };
}

async function readPorts(dir: TempDir, pid: number): Promise<{ port: number; monitor: number }> {
  return waitFor("nats-server's ports file", () => {
    const file = readdirSync(dir.path).find((name) => name === `nats-server_${pid}.ports`);
    if (!file) return false;
    const ports = JSON.parse(readFileSync(join(dir.path, file), "utf8")) as {
      nats?: string[];
      monitoring?: string[];
    };
    const port = Number(new URL(ports.nats?.[0] ?? "nats://x:0").port);
    const monitor = Number(new URL(ports.monitoring?.[0] ?? "http://x:0").port);
    return port > 0 && monitor > 0 ? { port, monitor } : false;
  });
}
