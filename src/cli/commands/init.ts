// `drover init`: a drover.config.ts, an app if the project has none, and the package.json settings
// they need, in this folder or --dir. It never writes over a file of the user's without --force.
import { resolve } from "node:path";
import { booleanFlag, type Command, stringFlag } from "../command.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { applyPlan, planInit } from "../init/plan.ts";

export const init: Command = {
  name: "init",
  args: "",
  maxArgs: 0,
  summary: "write a drover.config.ts, an app, and the package.json settings to start with",
  description: [
    "Writes a drover.config.ts that serves the project's app (app.ts, server.js, package.json's main...)",
    'or, when it has none, a new app.ts; and sets what they need in package.json: "type": "module" and',
    "the scripts start, stop, reload and status (package.json is made if missing). A project whose own",
    'code is CommonJS keeps its "type", and gets CommonJS files. Nothing of yours is written over',
    "without --force: an existing drover.config.* and scripts of the same names are kept.",
    "--service NAME also writes NAME.service.ts, a service of the dispatch pool run in drones, and runs",
    "it from the config; in a project with no app, the config is of services only (no HTTP, no port).",
  ],
  flags: [
    {
      name: "dir",
      type: "string",
      value: "DIR",
      help: "the project's folder (default: this one; made if missing)",
    },
    {
      name: "service",
      type: "string",
      value: "NAME",
      help: "also write a service NAME (NAME.service.ts) that drones run, and run it from the config",
    },
    { name: "force", type: "boolean", help: "write drover.config.ts and the scripts even over yours" },
  ],
  withoutMasterFlags: true,
  examples: [
    "npx drover init && npm start",
    "drover init --dir services/api",
    "npx drover init --service greet && npm install drover && npm start",
  ],
  run: async ({ cwd, values }) => {
    const dir = resolve(cwd, stringFlag(values, "dir") ?? ".");
    const plan = planInit(dir, {
      force: booleanFlag(values, "force"),
      service: stringFlag(values, "service"),
    });
    applyPlan(plan);
    console.log(`drover init in ${dir}:`);
    for (const file of plan.writes) console.log(`  wrote ${file.name}: ${file.what}`);
    for (const note of plan.notes) console.log(`  ${note}`);
    if (plan.writes.length === 0) console.log("  nothing to write: everything was already here");
    console.log("\nNext:");
    for (const line of plan.next) console.log(`  ${line}`);
    return EXIT_OK;
  },
};
