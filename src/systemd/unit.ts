// The systemd units `drover systemd` prints, made from a checked config: a service that uses
// everything drover tells systemd (sd_notify: ready, reloading, stopping, the watchdog), stops it the
// way it drains, and gives the drain the time it needs; and a socket unit that holds its listeners.
import type { ResolvedConfig } from "../config/types/resolved-config.ts";
import { stopWithinMs } from "../master/run/stop-bound.ts";

export type ServiceType = "notify" | "notify-reload";

export interface UnitInputs {
  readonly config: ResolvedConfig;
  /** The config file, absolute; undefined when the config is drover's defaults and nothing else. */
  readonly configFile: string | undefined;
  readonly workingDirectory: string;
  /** The node binary and drover's command (main.js), both absolute. */
  readonly node: string;
  readonly cli: string;
  readonly type: ServiceType;
  /** The units' name, without .service or .socket. */
  readonly name: string;
  /** Numeric hosts for the listen entries' host names (ListenStream= takes no names). */
  readonly numericHosts: ReadonlyMap<string, string>;
}

/** How often WATCHDOG=1 is expected: drover sends it every half of this while it is live. */
export const WATCHDOG_SEC = 30;

export function serviceUnit(inputs: UnitInputs): string {
  const { config, type } = inputs;
  const apache = config.signals === "apache";
  const stopSec = Math.ceil(stopWithinMs(config, { graceful: true }) / 1000) + 5;
  const startSec = Math.ceil((2 * config.hookTimeout + config.childStartTimeout) / 1000) + 10;
  const command = (verb: string) =>
    [inputs.node, inputs.cli, verb, ...(inputs.configFile ? ["--config", inputs.configFile] : [])]
      .map(execArgument)
      .join(" ");
  const reload =
    type === "notify-reload"
      ? [
          `# \`systemctl reload\` sends ${apache ? "SIGUSR1" : "SIGHUP"}, a graceful reload; systemd waits for drover's READY=1.`,
          `ReloadSignal=${apache ? "SIGUSR1" : "SIGHUP"}`,
        ]
      : [
          "# `systemctl reload` runs `drover reload`: it waits for the new generation, and fails when it does.",
          `ExecReload=${command("reload")}`,
        ];
  const runDir = config.runDir.startsWith("/run/") ? config.runDir.slice("/run/".length) : undefined;
  return lines([
    `# ${inputs.name}.service: ${served(config)}, under drover.`,
    `# Written by \`drover systemd\`. Save it as /etc/systemd/system/${inputs.name}.service, then:`,
    `#   systemctl daemon-reload && systemctl enable --now ${inputs.name}.service`,
    "[Unit]",
    `Description=${inputs.name}, served by drover`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "# drover tells systemd when it is ready, reloading and stopping (sd_notify): it must be the main",
    "# process, so ExecStart runs node itself (not npx, not a shell).",
    `Type=${type}`,
    "NotifyAccess=main",
    `ExecStart=${command("start")}`,
    `WorkingDirectory=${unitValue(inputs.workingDirectory)}`,
    ...reload,
    `# ${apache ? "SIGWINCH (signals: apache)" : "SIGTERM"} to the master alone: it stops accepting, lets its children finish their`,
    `# requests (shutdownDelay ${seconds(config.shutdownDelay)} + gracefulShutdownTimeout ${seconds(config.gracefulShutdownTimeout)}), then stops them; only what`,
    "# is left after TimeoutStopSec is killed.",
    `KillSignal=${apache ? "SIGWINCH" : "SIGTERM"}`,
    "KillMode=mixed",
    `TimeoutStopSec=${stopSec}`,
    "# hookTimeout for the config, again for the modules, childStartTimeout for the children, and 10 s.",
    `TimeoutStartSec=${startSec}`,
    `# WATCHDOG=1 comes every ${WATCHDOG_SEC / 2} s while the master's loop and its children's watchdog run.`,
    `WatchdogSec=${WATCHDOG_SEC}`,
    "Restart=on-failure",
    "RestartSec=2",
    ...userHint(config),
    ...(runDir
      ? [
          `# The run directory (runDir ${config.runDir}).`,
          `RuntimeDirectory=${runDir}`,
          "RuntimeDirectoryMode=0700",
        ]
      : []),
    "Environment=NODE_ENV=production",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ]);
}

export function socketUnit(inputs: UnitInputs): string {
  const { config } = inputs;
  const listen = config.listen.map((listener) =>
    listener.kind === "unix"
      ? unitValue(listener.path)
      : hostPort(inputs.numericHosts.get(listener.host) ?? listener.host, listener.port),
  );
  const v6 = config.listen.some(
    (listener) =>
      listener.kind === "tcp" && (inputs.numericHosts.get(listener.host) ?? listener.host) === "::",
  );
  return lines([
    `# ${inputs.name}.socket: systemd holds drover's listening sockets and passes them to it (socket`,
    "# activation): the ports stay bound while drover itself restarts, and connections wait meanwhile.",
    `# Save it as /etc/systemd/system/${inputs.name}.socket beside ${inputs.name}.service, then:`,
    `#   systemctl daemon-reload && systemctl enable --now ${inputs.name}.socket`,
    "# Keep it in step with listen: drover refuses a passed socket that no listen entry names.",
    "[Unit]",
    `Description=${inputs.name}'s listening sockets (drover)`,
    "",
    "[Socket]",
    ...listen.map((address) => `ListenStream=${address}`),
    ...(config.listen.some((listener) => listener.kind === "unix")
      ? ["# As drover makes its own: the owner and its group may connect.", "SocketMode=0660"]
      : []),
    ...(v6
      ? ["# drover's [::] takes IPv6 connections only; so does this socket's.", "BindIPv6Only=ipv6-only"]
      : []),
    "Backlog=4096",
    "# The name shows in drover's log.",
    `FileDescriptorName=${inputs.name}`,
    `Service=${inputs.name}.service`,
    "",
    "[Install]",
    "WantedBy=sockets.target",
  ]);
}

function served(config: ResolvedConfig): string {
  if (config.app === undefined) return `services ${config.services.map((s) => s.name).join(", ")}`;
  return config.app;
}

function userHint(config: ResolvedConfig): string[] {
  if (config.user) {
    const who = config.user.name ?? String(config.user.id);
    return [
      `# The master runs as root (it binds the ports and owns its run files); the children run as ${who}`,
      "# (user in the config). To run everything as one unprivileged user, set User= and drop user there.",
    ];
  }
  const low = config.listen.some((listener) => listener.kind === "tcp" && listener.port < 1024);
  return [
    "# The master and its children run as root. To run them as a user of their own, set User= (or",
    "# user in the config, for the children only):",
    "#User=myapp",
    ...(low ? ["#AmbientCapabilities=CAP_NET_BIND_SERVICE"] : []),
  ];
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

// systemd expands % (specifiers) everywhere, and $ in command lines: both are written doubled.
function unitValue(text: string): string {
  return text.replaceAll("%", "%%");
}

// One argument of a command line, quoted when it must be.
function execArgument(arg: string): string {
  const escaped = unitValue(arg).replaceAll("$", () => "$$");
  if (/^[\w/.:,=+@%$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function lines(parts: readonly string[]): string {
  return `${parts.join("\n")}\n`;
}
