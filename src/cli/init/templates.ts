// The files `drover init` writes: a config and an app, as ES modules, or as CommonJS for a package
// that is CommonJS and stays so. Both import drover's types only (`import type`, `import("drover")` in a
// type), which Node erases: they load whether drover is in node_modules, global, or run by npx.

export interface Templates {
  readonly config: string;
  readonly app: string;
}

/** The config for `app` ("./app.ts"), and the app drover writes when the project has none. */
export function templates(app: string, commonjs: boolean): Templates {
  return commonjs ? commonJsTemplates(app) : moduleTemplates(app);
}

const CONFIG_FIELDS = (app: string) => `  app: "${app}",
  // 127.0.0.1: this host only; "0.0.0.0:8080", or 8080 alone, listens on every interface.
  listen: [\`127.0.0.1:\${process.env.PORT ?? 8080}\`],
  // startServers: 2, // children at start (default: one per CPU)
  // workersPerChild: 128, // connections one child serves at once
  modules: [{ use: "status" }], // the status page at /server-status, for this host only
  // A service of the dispatch pool, run in drones: a module that default-exports defineService({ methods })
  // (docs/services.md). Called with \`npx drover call math add '{"a":1,"b":2}'\` or drover/client.
  // services: [{ name: "math", module: "./math.ts" }],`;

const CONFIG_HEAD = `// drover's config: \`drover start\` reads it from this folder, \`drover configtest\` checks it and
// prints the sizing it gives. Every field is in drover's docs/configuration.md.`;

function moduleTemplates(app: string): Templates {
  return {
    config: `${CONFIG_HEAD}
import type { DroverConfig } from "drover";

export default {
${CONFIG_FIELDS(app)}
} satisfies DroverConfig;
`,
    app: `${APP_HEAD}
import type { IncomingMessage, ServerResponse } from "node:http";

export default function app(request: IncomingMessage, response: ServerResponse): void {
${APP_BODY}
}
`,
  };
}

function commonJsTemplates(app: string): Templates {
  return {
    config: `${CONFIG_HEAD}
// This package is CommonJS (its package.json has no "type": "module"), and so is this file.
module.exports = {
${CONFIG_FIELDS(app)}
} satisfies import("drover").DroverConfig;
`,
    app: `${APP_HEAD}
// This package is CommonJS (its package.json has no "type": "module"), and so is this file.
type Request = import("node:http").IncomingMessage;
type Response = import("node:http").ServerResponse;

module.exports = function app(request: Request, response: Response): void {
${APP_BODY}
};
`,
  };
}

const APP_HEAD = `// The app: a Node request handler, default-exported. drover imports it in each child and serves it on
// the config's listen addresses: do not call listen() here. An Express app, or Koa's app.callback(),
// is a handler as it is; for Fastify and Hono see drover's docs/apps.md.`;

const APP_BODY = `  response.setHeader("content-type", "text/plain; charset=utf-8");
  response.end(\`hello from drover child \${process.pid}: \${request.method} \${request.url}\\n\`);`;
