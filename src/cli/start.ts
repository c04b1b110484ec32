// `drover start`: the master in the foreground (or, with --single, one child's work and no master;
// with --watch, reloading at each change of a file beside the config).
import { dirname, resolve } from "node:path";
import { findConfigFile, resolveConfig } from "../config/index.ts";
import type { DroverConfig } from "../config/types/drover-config.ts";
import { DroverError, ErrorCode, isDroverError } from "../errors.ts";
import { createLogger } from "../log/logger.ts";
import { Master } from "../master/master.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";
import { runSingle } from "./single.ts";
import { reloadOnChanges } from "./watch.ts";

export interface StartOptions {
  readonly cwd: string;
  readonly configFile: string | undefined;
  readonly flags: DroverConfig;
  readonly single: boolean;
  /** Reload gracefully at each change under the config's folder (development). */
  readonly watch?: boolean;
}

export async function startCommand(options: StartOptions): Promise<number> {
  if (options.single && options.watch) {
    throw new DroverError(
      ErrorCode.CONFIG_INVALID,
      "--watch reloads the master's generations, and --single runs no master: use one or the other",
    );
  }
  if (options.single) {
    const { config, warnings } = await resolveConfig({
      cwd: options.cwd,
      file: options.configFile,
      flags: options.flags,
    });
    if (config.app === undefined) {
      throw new DroverError(
        ErrorCode.CONFIG_INVALID,
        "--single runs one child of the app with no master, and this config has services only: run `drover start` without --single",
      );
    }
    const log = createLogger(config.logLevel, { role: "single" });
    for (const warning of warnings) log.warn(warning);
    await runSingle(config, log);
    return EXIT_OK;
  }
  let master: Master;
  try {
    master = await Master.start({ cwd: options.cwd, configFile: options.configFile, flags: options.flags });
  } catch (error) {
    // Stopped (SIGTERM, say) before it finished starting: that is a stop asked for, not a failure.
    if (isDroverError(error, ErrorCode.STOPPING)) return EXIT_OK;
    throw error;
  }
  if (options.watch) {
    try {
      reloadOnChanges(master, watchedDir(options), createLogger(master.config.logLevel, { role: "master" }));
    } catch (error) {
      await master.stop();
      throw error;
    }
  }
  console.log(servedLine(master));
  const code = await master.exited;
  return code === 0 ? EXIT_OK : EXIT_FAILED;
}

// The config file's folder, or the working directory without a file.
function watchedDir(options: StartOptions): string {
  const file =
    options.configFile === undefined ? findConfigFile(options.cwd) : resolve(options.cwd, options.configFile);
  return file === undefined ? resolve(options.cwd) : dirname(file);
}

// What serves where: the app on its listeners, the services on the dispatch socket.
function servedLine(master: Master): string {
  const { config } = master;
  const parts: string[] = [];
  if (config.app !== undefined) {
    const children = `${config.startServers} ${config.startServers === 1 ? "child" : "children"}`;
    parts.push(`${config.app} is served on ${master.addresses.map(url).join(", ")} by ${children}`);
  }
  if (config.services.length > 0) {
    const names = config.services.map((service) => `"${service.name}"`).join(", ");
    const verb = config.services.length === 1 ? "is" : "are";
    parts.push(
      `service${config.services.length === 1 ? "" : "s"} ${names} ${verb} served on unix:${master.files.dispatchSocket} by drones`,
    );
  }
  return `drover: ${parts.join("; ")} (master pid ${process.pid}, run directory ${master.files.runDir})`;
}

function url(address: string): string {
  return address.startsWith("/")
    ? `unix:${address}`
    : `http://${address.replace(/^0\.0\.0\.0:/, "localhost:")}`;
}
