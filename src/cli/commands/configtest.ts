// `drover configtest [app]`: reads and checks the config, loads the modules (checking their options)
// and imports the app and each service's module without serving them, then prints the sizing the
// master would run with.
import type { AppDefinition } from "../../app/define.ts";
import { importApp } from "../../app/import-app.ts";
import { resolveConfig } from "../../config/index.ts";
import { isDroverError } from "../../errors.ts";
import { loadModules } from "../../modules/load.ts";
import { importService } from "../../service/import-service.ts";
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
  summary: "check the config, load the app and services, print the sizing the master would run with",
  description: [
    "Reads and checks the config (every adjustment is printed as a warning), loads the modules, which",
    "checks their options, and imports the app as a child would and each service's module as a drone",
    "would, without serving them. Then it prints the sizing the master would run with: children,",
    "workers per child, the spare band, the limits, and each service's drones. It starts nothing; the",
    "top-level code of the app and the services does run.",
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
    for (const service of config.services) {
      let methods: string[];
      try {
        const definition = await withDeadline(
          importService(service.name, service.module),
          config.childStartTimeout,
          () =>
            new Error(
              `the module of service "${service.name}" (${service.module}): its top-level code did not finish within childStartTimeout (${config.childStartTimeout} ms)`,
            ),
        );
        methods = Object.keys(definition.methods);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        console.error(`drover configtest: ${why}`);
        return EXIT_FAILED;
      }
      console.log(`service "${service.name}" loads: its methods are ${methods.join(", ")}`);
    }
    console.log("The master would run with:");
    for (const line of sizingLines(config)) console.log(line);
    return EXIT_OK;
  },
};
