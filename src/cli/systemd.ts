// `drover systemd`: prints a systemd service unit for the config given by -c (or found here), or with
// --socket the socket unit that holds its listeners. It reads its own options: its --socket is a
// switch, where elsewhere (`call`) --socket names a path.
import { spawnSync } from "node:child_process";
import { lookup } from "node:dns/promises";
import { realpathSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { resolveConfig } from "../config/index.ts";
import { type ServiceType, serviceUnit, socketUnit } from "../systemd/unit.ts";
import { EXIT_OK, EXIT_USAGE } from "./exit-codes.ts";

// Type=notify-reload came with systemd 253; older ones refuse it.
const NOTIFY_RELOAD_SINCE = 253;

export const SYSTEMD_USAGE = `Usage: drover systemd [options]

Prints a systemd service unit for the config: Type=notify-reload (or notify with ExecReload where
systemd is older than 253), the stop signal and TimeoutStopSec the graceful stop needs, WatchdogSec.

  -c, --config FILE   the config file (default: drover.config.{ts,js,mjs,json} in this folder)
  --socket            print the socket unit instead: systemd holds the listeners (socket activation)
  --type TYPE         notify-reload or notify (default: what this host's systemd supports)
  --name NAME         the units' name (default: the config's folder)
  -h, --help          this text`;

/** True when `argv` asks for `drover systemd` (its first word that is not an option). */
export function isSystemdCommand(argv: readonly string[]): boolean {
  const { positionals } = parseArgs({
    args: [...argv],
    strict: false,
    allowPositionals: true,
    options: { config: { type: "string", short: "c" }, "run-dir": { type: "string" } },
  });
  return positionals[0] === "systemd";
}

export async function systemdCommand(argv: readonly string[], cwd: string): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  try {
    const parsed = parse(argv);
    values = parsed.values;
    if (parsed.positionals.length > 1) throw new Error(`unexpected argument "${parsed.positionals[1]}"`);
    if (values.type !== undefined && values.type !== "notify" && values.type !== "notify-reload") {
      throw new Error(`--type takes notify-reload or notify, got "${values.type}"`);
    }
    if (values.name !== undefined && !/^[\w:.-]+$/.test(values.name)) {
      throw new Error(`--name takes letters, digits and _ : . -, got "${values.name}"`);
    }
  } catch (error) {
    console.error(`drover systemd: ${(error as Error).message}\n\n${SYSTEMD_USAGE}`);
    return EXIT_USAGE;
  }
  if (values.help) {
    console.log(SYSTEMD_USAGE);
    return EXIT_OK;
  }
  const { config, file } = await resolveConfig({ cwd, file: values.config });
  const workingDirectory = file ? dirname(file) : resolve(cwd);
  const inputs = {
    config,
    configFile: file,
    workingDirectory,
    node: process.execPath,
    cli: realpathSync(process.argv[1] ?? ""),
    type: (values.type as ServiceType | undefined) ?? hostServiceType(),
    name: values.name ?? unitName(workingDirectory),
    numericHosts: await numericHosts(config.listen),
  };
  process.stdout.write(values.socket ? socketUnit(inputs) : serviceUnit(inputs));
  return EXIT_OK;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      socket: { type: "boolean" },
      type: { type: "string" },
      name: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
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
