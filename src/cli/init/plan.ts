// What `drover init` will do in a folder, worked out before anything is written: the files to write,
// the package.json settings to add, and what it leaves as it is (never a file of the user's without
// --force). Then `applyPlan` writes it.
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import { isServiceName, SERVICE_NAME_RULE } from "../../config/services.ts";
import { UsageError } from "../parse.ts";
import {
  commonJsFile,
  existingApp,
  existingConfigs,
  isFile,
  type PackageJson,
  readPackageJson,
} from "./project.ts";
import { SERVICE_METHOD, templates } from "./templates.ts";

/** The package.json scripts drover init adds. */
export const SCRIPTS: Readonly<Record<string, string>> = {
  start: "drover start",
  stop: "drover stop --graceful",
  reload: "drover reload",
  status: "drover status",
};

export interface InitPlan {
  readonly dir: string;
  /** Files to write (new ones, or the config with --force), each with what it is. */
  readonly writes: readonly { readonly name: string; readonly content: string; readonly what: string }[];
  /** What was found and left as it is, or decided: one line each. */
  readonly notes: readonly string[];
  /** The commands to run next. */
  readonly next: readonly string[];
}

export interface InitOptions {
  /** Write the config and the scripts over the user's. */
  readonly force?: boolean;
  /** A service of the dispatch pool to write and run: its name. */
  readonly service?: string | undefined;
}

/**
 * Throws a UsageError for a service name that is none, and DROVER_ERR_PACKAGE_JSON_INVALID (saying
 * what to fix) when the project's package.json cannot be used.
 */
export function planInit(dir: string, options: InitOptions = {}): InitPlan {
  const force = options.force === true;
  const serviceName = options.service;
  if (serviceName !== undefined && !isServiceName(serviceName)) {
    throw new UsageError(
      `--service ${JSON.stringify(serviceName)} is no service name: give ${SERVICE_NAME_RULE}, e.g. --service greet`,
    );
  }
  const pkg = readPackageJson(dir);
  const writes: { name: string; content: string; what: string }[] = [];
  const notes: string[] = [];
  const configs = existingConfigs(dir);
  const keepConfig = configs.length > 0 && !force;
  const found = existingApp(dir, pkg);
  // A service asked for in a project with no app: a config of services only, no app written.
  const app = found ?? (serviceName === undefined ? "./app.ts" : undefined);

  // "type": "module" unless the project's own code is CommonJS, which it would break.
  const type = pkg.fields?.type;
  const cjsFile = type === "module" ? undefined : commonJsFile(dir);
  const commonjs = cjsFile !== undefined;
  // name.service.ts: never one of the names an app is looked for under.
  const serviceFile =
    serviceName === undefined ? undefined : `${serviceName.replaceAll(":", "-")}.service.ts`;
  const service = serviceName === undefined ? undefined : { name: serviceName, module: `./${serviceFile}` };
  const files = templates({ app, service, commonjs });

  if (keepConfig) {
    notes.push(`${configs.join(", ")} already here: left as it is (--force writes a new drover.config.ts)`);
    if (service)
      notes.push(
        `add the service to it: services: [{ name: "${service.name}", module: "${service.module}" }]`,
      );
  } else {
    const replaced = configs.includes("drover.config.ts") ? " (replaced, --force)" : "";
    const serves = [
      ...(app === undefined
        ? []
        : [`the app ${app} on 127.0.0.1:8080 (PORT changes the port), the status page`]),
      ...(service ? [`the service "${service.name}" in drones`] : []),
    ];
    writes.push({
      name: "drover.config.ts",
      content: files.config,
      what: `the config: ${serves.join("; ")}${replaced}`,
    });
    const shadowed = configs.filter((name) => name !== "drover.config.ts");
    if (shadowed.length > 0)
      notes.push(`${shadowed.join(", ")}: no longer read, drover.config.ts comes first`);
  }
  if (found !== undefined) notes.push(`the app is your ${found}: left as it is`);
  else if (app !== undefined && !keepConfig)
    writes.push({ name: "app.ts", content: files.app, what: "the app: a node:http request handler" });
  if (serviceFile !== undefined && files.service !== undefined) {
    if (isFile(join(dir, serviceFile)))
      notes.push(`the service's module is your ${serviceFile}: left as it is`);
    else
      writes.push({
        name: serviceFile,
        content: files.service,
        what: `the service "${serviceName}": defineService with one method, ${SERVICE_METHOD}`,
      });
  }

  const edited = editPackageJson(dir, pkg, { commonjs, force, notes });
  if (commonjs) {
    notes.push(
      `package.json has ${type === undefined ? 'no "type"' : `"type": ${JSON.stringify(type)}`} and ${cjsFile} is ` +
        'CommonJS, which "type": "module" would break: the files drover writes are CommonJS too',
    );
  }
  if (edited !== undefined) writes.push(edited);

  const installed = resolvesDrover(dir);
  const next = [
    ...(installed
      ? []
      : [`npm install drover${service ? "                         # the service imports it" : ""}`]),
    "npm start                                  # drover start: the master in the foreground",
    ...(app === undefined
      ? []
      : ["curl http://127.0.0.1:8080/                # in another terminal; npm run status, npx drover top"]),
    ...(service
      ? [`npx drover call ${service.name} ${SERVICE_METHOD} '{"name":"you"}'   # in another terminal`]
      : []),
  ];
  return { dir, writes, notes, next };
}

/** Writes the plan's files (making the folder if needed). */
export function applyPlan(plan: InitPlan): void {
  mkdirSync(plan.dir, { recursive: true });
  for (const file of plan.writes) writeFileSync(join(plan.dir, file.name), file.content);
}

function editPackageJson(
  dir: string,
  pkg: PackageJson,
  options: { commonjs: boolean; force: boolean; notes: string[] },
): { name: string; content: string; what: string } | undefined {
  const fields: Record<string, unknown> = pkg.fields
    ? { ...pkg.fields }
    : { name: packageName(dir), private: true };
  const changes: string[] = [];
  if (!options.commonjs && fields.type !== "module") {
    changes.push(
      fields.type === undefined
        ? '"type": "module"'
        : `"type": "module" (it was ${JSON.stringify(fields.type)})`,
    );
    fields.type = "module";
  }
  const scripts: Record<string, unknown> =
    typeof fields.scripts === "object" && fields.scripts !== null ? { ...(fields.scripts as object) } : {};
  const added: string[] = [];
  for (const [name, command] of Object.entries(SCRIPTS)) {
    if (scripts[name] === command) continue;
    if (scripts[name] !== undefined && !options.force) {
      options.notes.push(
        `kept your "${name}" script (${JSON.stringify(scripts[name])}); drover's is "${command}" (--force replaces it)`,
      );
      continue;
    }
    scripts[name] = command;
    added.push(name);
  }
  if (added.length > 0) {
    fields.scripts = scripts;
    changes.push(`scripts ${added.join(", ")}`);
  }
  if (changes.length === 0) return undefined;
  const indent = pkg.text === undefined ? 2 : (/^[ \t]+(?=")/m.exec(pkg.text)?.[0] ?? 2);
  return {
    name: "package.json",
    content: `${JSON.stringify(fields, null, indent)}\n`,
    what: `${pkg.fields ? "" : "new: "}${changes.join("; ")}`,
  };
}

// npm's rules, loosely: lower case, no spaces, nothing but URL-safe characters.
function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+/, "");
  return name === "" ? "app" : name;
}

// Whether `drover` resolves from the project, as `npm start` would find its command.
function resolvesDrover(dir: string): boolean {
  try {
    createRequire(join(dir, "package.json")).resolve("drover/package.json");
    return true;
  } catch {
    return false;
  }
}
