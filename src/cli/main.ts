#!/usr/bin/env node
// The `drover` command.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { dispatchSocketPath } from "../client/socket-path.ts";
import { readDuration } from "../config/duration.ts";
import { CONFIG_FLAGS, type ConfigFlagValues, flagsToConfig, resolveConfig } from "../config/index.ts";
import { isDroverError } from "../errors.ts";
import { loadModules } from "../modules/load.ts";
import { configuredHealth } from "../status/health-probe.ts";
import { readDroverVersion } from "../util/version.ts";
import { callCommand } from "./call.ts";
import { EXIT_OK, EXIT_USAGE, exitCodeOf } from "./exit-codes.ts";
import { controlCommand, statusCommand, stopCommand } from "./remote.ts";
import { startCommand } from "./start.ts";
import { isSystemdCommand, systemdCommand } from "./systemd.ts";
import { upgradeCommand } from "./upgrade.ts";
import { USAGE } from "./usage.ts";

const COMMANDS = ["start", "stop", "reload", "restart", "status", "configtest", "call", "upgrade"] as const;
type Command = (typeof COMMANDS)[number];

async function main(argv: readonly string[]): Promise<number> {
  // `drover systemd` reads its own options: its --socket is a switch, call's takes a path.
  if (isSystemdCommand(argv)) return systemdCommand(argv, process.cwd());
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`drover: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return EXIT_OK;
  }
  if (values.version) {
    console.log(readDroverVersion() ?? "unknown");
    return EXIT_OK;
  }
  const [command, ...rest] = positionals;
  if (!COMMANDS.includes(command as Command)) {
    console.error(`drover: ${command ? `unknown command "${command}"` : "no command given"}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (rest.length > (command === "start" ? 1 : command === "call" ? 3 : 0)) {
    console.error(`drover ${command}: unexpected argument "${rest.at(-1)}"`);
    return EXIT_USAGE;
  }
  const cwd = process.cwd();
  const configFile = values.config;
  if (command === "call") {
    const timeoutMs = values.timeout === undefined ? undefined : timeoutFlag(values.timeout);
    if (Number.isNaN(timeoutMs) || timeoutMs === 0) {
      console.error(
        `drover call: --timeout takes a duration ("5s", "1m") or a number of seconds, more than 0, ` +
          `got "${values.timeout}"\n\n${USAGE}`,
      );
      return EXIT_USAGE;
    }
    // --socket (not in the usage: for tests) names the service socket itself.
    const socket = values.socket ?? dispatchSocketPath(await runDir(cwd, configFile, values["run-dir"]));
    return callCommand(rest, { socket: resolve(cwd, socket), timeoutMs });
  }
  const flags = flagsToConfig({ ...(values as ConfigFlagValues), ...(rest[0] ? { app: rest[0] } : {}) }, cwd);

  switch (command as Command) {
    case "start":
      return startCommand({
        cwd,
        configFile,
        flags,
        single: values.single ?? false,
        watch: values.watch ?? false,
      });
    case "configtest": {
      const { config, warnings, file } = await resolveConfig({ cwd, file: configFile, flags });
      // Loading the modules checks their options too; no hook runs.
      const modules = (await loadModules(config.modules)).map((module) => module.name);
      for (const warning of warnings) console.log(`warning: ${warning}`);
      console.log(
        `${file ?? "flags and defaults"}: the config is valid; ${config.app === undefined ? `services ${config.services.map((s) => s.name).join(", ")}, no app` : `the app is ${config.app}`}` +
          (modules.length > 0 ? `; modules: ${modules.join(", ")}` : ""),
      );
      return EXIT_OK;
    }
    case "upgrade":
    case "stop":
    case "reload":
    case "restart": {
      const timeoutMs = values.timeout === undefined ? undefined : timeoutFlag(values.timeout);
      if (Number.isNaN(timeoutMs)) {
        console.error(
          `drover ${command}: --timeout takes a duration ("30s", "1m") or a number of seconds, got "${values.timeout}"\n\n${USAGE}`,
        );
        return EXIT_USAGE;
      }
      const dir = await runDir(cwd, configFile, values["run-dir"]);
      if (command === "upgrade") return upgradeCommand(dir, timeoutMs);
      if (command !== "stop") return controlCommand(dir, command as "reload" | "restart", timeoutMs);
      return stopCommand(dir, {
        graceful: values.graceful ?? false,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
    }
    case "status":
      return statusCommand(
        await runDir(cwd, configFile, values["run-dir"]),
        values.json ?? false,
        await configuredHealth(cwd, configFile),
      );
  }
  return EXIT_USAGE;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ...CONFIG_FLAGS,
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      graceful: { type: "boolean" },
      timeout: { type: "string" },
      json: { type: "boolean" },
      single: { type: "boolean" },
      watch: { type: "boolean" },
      socket: { type: "string" },
    },
  });
}

/**
 * The run directory a command talks to: --run-dir, else the config file's runDir, else .drover here.
 * The config is only read for that, so a config whose app is missing still lets `drover stop` work.
 */
async function runDir(
  cwd: string,
  configFile: string | undefined,
  flag: string | undefined,
): Promise<string> {
  if (flag !== undefined) return resolve(cwd, flag);
  try {
    return (await resolveConfig({ cwd, file: configFile })).config.runDir;
  } catch {
    return resolve(cwd, ".drover");
  }
}

/**
 * Milliseconds from a duration with a unit ("30s", like every other duration), or from a bare number,
 * which here means seconds (as it always has for --timeout); NaN for anything else.
 */
function timeoutFlag(text: string): number {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (Number.isFinite(value)) return value >= 0 ? Math.round(value * 1000) : Number.NaN;
  const parsed = readDuration(text);
  return parsed.ok ? parsed.value : Number.NaN;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      `drover: ${isDroverError(error) ? `${error.message} [${error.code}]` : (error as Error).stack}`,
    );
    process.exitCode = exitCodeOf(error);
  },
);
