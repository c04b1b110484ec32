// `drover systemd`.
import { booleanFlag, type Command, stringFlag } from "../command.ts";
import { systemdCommand } from "../systemd.ts";

export const systemd: Command = {
  name: "systemd",
  args: "",
  maxArgs: 0,
  summary: "print a systemd unit for the config (sd_notify, watchdog), or its socket unit",
  description: [
    "Prints a systemd service unit for the config: Type=notify-reload (or notify with ExecReload where",
    "systemd is older than 253), the stop signal and TimeoutStopSec the graceful stop needs, WatchdogSec.",
    "With --socket, the socket unit instead: systemd holds the listeners (socket activation).",
  ],
  flags: [
    { name: "socket", type: "boolean", help: "print the socket unit instead" },
    {
      name: "type",
      type: "string",
      value: "TYPE",
      help: "notify-reload or notify (default: what this host's systemd supports)",
    },
    { name: "name", type: "string", value: "NAME", help: "the units' name (default: the config's folder)" },
  ],
  examples: [
    "drover systemd > /etc/systemd/system/myapp.service",
    "drover systemd --socket > /etc/systemd/system/myapp.socket",
  ],
  run: ({ cwd, values }) =>
    systemdCommand(
      {
        configFile: stringFlag(values, "config"),
        socket: booleanFlag(values, "socket"),
        type: stringFlag(values, "type"),
        name: stringFlag(values, "name"),
      },
      cwd,
    ),
};
