// `drover start [app]`.
import { flagsToConfig } from "../../config/index.ts";
import { booleanFlag, type Command, type Invocation, stringFlag } from "../command.ts";
import { configFlags } from "../flags.ts";
import { startCommand } from "../start.ts";

/** The config fields that `start` and `configtest` take from their flags and their argument. */
export function configFromFlags({ cwd, values, args }: Invocation) {
  const app = args[0];
  return flagsToConfig({ ...(values as Record<string, string>), ...(app ? { app } : {}) }, cwd);
}

export const start: Command = {
  name: "start",
  args: "[app]",
  maxArgs: 1,
  summary: "run the master in the foreground until it is stopped",
  description: [
    "Runs the master in the foreground: it binds the listen addresses, starts the children (and the",
    "services' drones) and keeps them serving until it is stopped (Ctrl-C or SIGTERM: a graceful stop).",
    "The flags override the config file's fields; [app] is the app module, as --app.",
  ],
  flags: [
    ...configFlags(),
    {
      name: "single",
      type: "boolean",
      help: "run one child's work in this process, with no master (for debugging)",
    },
    {
      name: "watch",
      type: "boolean",
      help: "development: reload gracefully whenever a file beside the config changes",
    },
  ],
  examples: [
    "drover start                              # drover.config.ts in this folder",
    "drover start app.ts --listen 8080 --start-servers 4",
    "drover start --config deploy/drover.config.ts",
    "drover start --watch                      # development: a saved file reloads gracefully",
  ],
  run: (invocation) =>
    startCommand({
      cwd: invocation.cwd,
      configFile: stringFlag(invocation.values, "config"),
      flags: configFromFlags(invocation),
      single: booleanFlag(invocation.values, "single"),
      watch: booleanFlag(invocation.values, "watch"),
    }),
};
