// The files `drover init` writes: a config, an app and a service, as ES modules, or as CommonJS for a
// package that is CommonJS and stays so. The config and the app import drover's types only (`import
// type`, `import("drover")` in a type), which Node erases: they load whether drover is in node_modules,
// global, or run by npx. A service calls defineService, so it needs drover installed in the project.

export interface Templates {
  readonly config: string;
  readonly app: string;
  /** The service module, when one is asked for. */
  readonly service: string | undefined;
}

export interface TemplateChoices {
  /** The app the config serves ("./app.ts"); none for a config of services only. */
  readonly app: string | undefined;
  /** The service the config runs, and its module ("./greet.service.ts"). */
  readonly service: { readonly name: string; readonly module: string } | undefined;
  readonly commonjs: boolean;
}

/** The method the service drover writes has. */
export const SERVICE_METHOD = "hello";

export function templates(choices: TemplateChoices): Templates {
  const { commonjs, service } = choices;
  const config = (commonjs ? commonJsConfig : moduleConfig)(configFields(choices));
  const app = commonjs ? COMMONJS_APP : MODULE_APP;
  return { config, app, service: service && serviceModule(service, commonjs) };
}

const APP_FIELDS = (app: string) => `  app: "${app}",
  // 127.0.0.1: this host only; "0.0.0.0:8080", or 8080 alone, listens on every interface.
  listen: [\`127.0.0.1:\${process.env.PORT ?? 8080}\`],
  // startServers: 2, // children at start (default: one per CPU)
  // workersPerChild: 128, // connections one child serves at once
  modules: [{ use: "status" }], // the status page at /server-status, for this host only`;

const SERVICES_ONLY = `  // A config of services only: no app, so no HTTP children and no port; an app: "./app.ts" and a
  // listen: [...] serve HTTP beside the services.`;

const SERVICE_HINT = `  // A service of the dispatch pool, run in drones: a module that default-exports defineService({ methods })
  // (docs/services.md). Called with \`npx drover call math add '{"a":1,"b":2}'\` or drover/client.
  // services: [{ name: "math", module: "./math.ts" }],`;

function configFields({ app, service }: TemplateChoices): string {
  const serviceLines = service
    ? `  // Run in drones (processes of their own), one call at a time each (docs/services.md): called with
  // \`npx drover call ${service.name} ${SERVICE_METHOD}\` or drover/client.
  services: [{ name: "${service.name}", module: "${service.module}", minDrones: 1, maxDrones: 4 }],`
    : SERVICE_HINT;
  return `${app === undefined ? SERVICES_ONLY : APP_FIELDS(app)}\n${serviceLines}`;
}
const CONFIG_HEAD = `// drover's config: \`drover start\` reads it from this folder, \`drover configtest\` checks it and
// prints the sizing it gives. Every field is in drover's docs/configuration.md.`;

function moduleConfig(fields: string): string {
  return `${CONFIG_HEAD}
import type { DroverConfig } from "drover";

export default {
${fields}
} satisfies DroverConfig;
`;
}

function commonJsConfig(fields: string): string {
  return `${CONFIG_HEAD}
${COMMONJS_NOTE}
module.exports = {
${fields}
} satisfies import("drover").DroverConfig;
`;
}

const COMMONJS_NOTE = `// This package is CommonJS (its package.json has no "type": "module"), and so is this file.`;

const APP_HEAD = `// The app: a Node request handler, default-exported. drover imports it in each child and serves it on
// the config's listen addresses: do not call listen() here. An Express app, or Koa's app.callback(),
// is a handler as it is; for Fastify and Hono see drover's docs/apps.md.`;

const APP_BODY = `  response.setHeader("content-type", "text/plain; charset=utf-8");
  response.end(\`hello from drover child \${process.pid}: \${request.method} \${request.url}\\n\`);`;

const MODULE_APP = `${APP_HEAD}
import type { IncomingMessage, ServerResponse } from "node:http";

export default function app(request: IncomingMessage, response: ServerResponse): void {
${APP_BODY}
}
`;

const COMMONJS_APP = `${APP_HEAD}
${COMMONJS_NOTE}
type Request = import("node:http").IncomingMessage;
type Response = import("node:http").ServerResponse;

module.exports = function app(request: Request, response: Response): void {
${APP_BODY}
};
`;

function serviceModule(service: { name: string; module: string }, commonjs: boolean): string {
  const head = `// The "${service.name}" service: drover's master runs this module in drones (processes of their own) and
// hands each call to an idle one, so slow or CPU-heavy work stalls no HTTP child. Try it with
// \`npx drover call ${service.name} ${SERVICE_METHOD} '{"name":"you"}'\`; from code, drover/client's
// \`(await connect()).service<typeof import("${service.module}").default>("${service.name}")\` is typed from here.`;
  const definition = `defineService({
  methods: {
    // A method takes the caller's params (and a ctx: its deadline, signal, session) and returns the
    // answer, or a promise of it. A throw fails the call with DROVER_ERR_METHOD_FAILED; give the error
    // a \`code\` when callers should tell it apart.
    ${SERVICE_METHOD}: ({ name = "world" }: { name?: string } = {}) => {
      if (typeof name !== "string") {
        throw Object.assign(new TypeError("${SERVICE_METHOD} takes { name }, a string"), { code: "BAD_INPUT" });
      }
      return { greeting: \`hello, \${name}\`, drone: process.pid };
    },
  },
  // Safe to run twice: a call of these whose drone died under it is run once more on another drone.
  idempotent: ["${SERVICE_METHOD}"],
})`;
  return commonjs
    ? `${head}
${COMMONJS_NOTE}
const { defineService } = require("drover");

module.exports = ${definition};
`
    : `${head}
import { defineService } from "drover";

export default ${definition};
`;
}
