// `drover configtest [app]`: reads and checks the config, loads the modules (checking their options)
// and imports the app without serving it, then prints the sizing the master would run with.
import type { AppDefinition } from "../../app/define.ts";
import { importApp } from "../../app/import-app.ts";
import { resolveConfig } from "../../config/index.ts";
import { isDroverError } from "../../errors.ts";
import { loadModules } from "../../modules/load.ts";
import { withDeadline } from "../../util/deadline.ts";
import { type Command, stringFlag } from "../command.ts";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.ts";
import { configFlags } from "../flags.ts";
import { sizingLines } from "../sizing-text.ts";
import { configFromFlags } from "./start.ts";

export const configtest: Command = {
  name: "configtest",
  args: "[app]",
  maxArgs: 1,
  summary: "check the config, load the app, and print the sizing the master would run with",
  description: [
    "Reads and checks the config (every adjustment is printed as a warning), loads the modules, which",
    "checks their options, and imports the app as a child would, without serving it. Then it prints",
    "the sizing the master would run with: children, workers per child, the spare band, the limits,",
    "and each service's drones. It starts nothing; the app's top-level code does run.",
  ],
  flags: configFlags(),
  exitsWhenDone: true,
  run: async (invocation) => {
    const { config, warnings, file } = await resolveConfig({
      cwd: invocation.cwd,
      file: stringFlag(invocation.values, "config"),
      flags: configFromFlags(invocation),
    });
    // Loading the modules checks their options too; no hook runs.
    const modules = (await loadModules(config.modules)).map((module) => module.name);
    for (const warning of warnings) console.log(`warning: ${warning}`);
    const what =
      config.app === undefined
        ? `services ${config.services.map((s) => s.name).join(", ")}, no app`
        : `the app is ${config.app}`;
    console.log(
      `${file ?? "flags and defaults"}: the config is valid; ${what}` +
        (modules.length > 0 ? `; modules: ${modules.join(", ")}` : ""),
    );
    if (config.app !== undefined) {
      const app = config.app;
      let definition: AppDefinition;
      try {
        definition = await withDeadline(
          importApp(app),
          config.childStartTimeout,
          () =>
            new Error(
              `its top-level code did not finish within childStartTimeout (${config.childStartTimeout} ms)`,
            ),
        );
      } catch (error) {
        if (isDroverError(error)) throw error;
        const why = error instanceof Error ? (error.stack ?? error.message) : String(error);
        console.error(`drover configtest: the app ${app} could not be loaded: ${why}`);
        return EXIT_FAILED;
      }
      const kind = definition.handler ? "a request handler" : "defineApp({ createServer })";
      console.log(`the app loads: it exports ${kind}`);
    }
    console.log("The master would run with:");
    for (const line of sizingLines(config)) console.log(line);
    return EXIT_OK;
  },
};
