// `drover systemd`: prints a systemd service unit for the config given by -c (or found here), or with
// --socket the socket unit that holds its listeners.
import { spawnSync } from "node:child_process";
import { lookup } from "node:dns/promises";
import { realpathSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { resolveConfig } from "../config/index.ts";
import { type ServiceType, serviceUnit, socketUnit } from "../systemd/unit.ts";
import { EXIT_OK } from "./exit-codes.ts";
import { UsageError } from "./parse.ts";

// Type=notify-reload came with systemd 253; older ones refuse it.
const NOTIFY_RELOAD_SINCE = 253;

export interface SystemdOptions {
  readonly configFile: string | undefined;
  /** The socket unit rather than the service unit. */
  readonly socket: boolean;
  readonly type: string | undefined;
  readonly name: string | undefined;
}

/** Prints the service unit (or the socket unit) for the config; throws UsageError for a bad option. */
export async function systemdCommand(options: SystemdOptions, cwd: string): Promise<number> {
  if (options.type !== undefined && options.type !== "notify" && options.type !== "notify-reload") {
    throw new UsageError(`drover systemd: --type takes notify-reload or notify, got "${options.type}"`);
  }
  if (options.name !== undefined && !/^[\w:.-]+$/.test(options.name)) {
    throw new UsageError(`drover systemd: --name takes letters, digits and _ : . -, got "${options.name}"`);
  }
  const { config, file } = await resolveConfig({ cwd, file: options.configFile });
  const workingDirectory = file ? dirname(file) : resolve(cwd);
  const inputs = {
    config,
    configFile: file,
    workingDirectory,
    node: process.execPath,
    cli: realpathSync(process.argv[1] ?? ""),
    type: (options.type as ServiceType | undefined) ?? hostServiceType(),
    name: options.name ?? unitName(workingDirectory),
    numericHosts: await numericHosts(config.listen),
  };
  process.stdout.write(options.socket ? socketUnit(inputs) : serviceUnit(inputs));
  return EXIT_OK;
}

/** notify-reload where this host's systemd has it (253 and later), else notify. */
export function hostServiceType(): ServiceType {
  const probe = spawnSync("systemctl", ["--version"], { encoding: "utf8", timeout: 5_000 });
  const version = Number(/^systemd (\d+)/.exec(probe.stdout ?? "")?.[1]);
  return version >= NOTIFY_RELOAD_SINCE ? "notify-reload" : "notify";
}

function unitName(folder: string): string {
  const name = basename(folder).replace(/[^\w:.-]+/g, "-");
  return name === "" || name === "-" ? "drover" : name;
}

// ListenStream= takes numeric addresses only: host names resolve as the master resolves them.
async function numericHosts(listen: Parameters<typeof socketUnit>[0]["config"]["listen"]) {
  const hosts = new Map<string, string>();
  for (const listener of listen) {
    if (listener.kind !== "tcp" || hosts.has(listener.host)) continue;
    const found = await lookup(listener.host, { verbatim: true }).catch(() => undefined);
    hosts.set(listener.host, found?.address ?? listener.host);
  }
  return hosts;
}
