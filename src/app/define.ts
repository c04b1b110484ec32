// The app contract: what a user's module default-exports for drover to run in every child.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Client } from "../client/types.ts";

/** A Node request handler; an Express app or Koa's `app.callback()` is one already. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** What each child knows about itself, given to childInit and childExit. */
export interface ChildContext {
  readonly slot: number;
  readonly pid: number;
  readonly generation: number;
  /**
   * Aborted when this child begins to drain (a reload, recycling, a graceful stop): the cue to close
   * WebSockets, event streams and long polls cleanly. Requests already running may finish; connections
   * still open at the drain's deadline (drainTimeout) are closed.
   */
  readonly drainSignal: AbortSignal;
  /**
   * A client of this master's services (connected before childInit runs), when the config has any:
   * `context.client.service("math").call("add", { a: 1, b: 2 })` hands work to the dispatch pool's
   * drones. Undefined for a config without services.
   */
  readonly client: Client | undefined;
}

export interface AppDefinition {
  /** Serves every request. Give this or `createServer`. */
  readonly handler?: RequestHandler;
  /**
   * Builds the server for frameworks that make their own (Fastify's `app.server` after `ready()`,
   * Hono's `createAdaptorServer`). drover never calls `listen` on it: it hands it connections.
   */
  readonly createServer?: () => Server | Promise<Server>;
  /** Runs in each child before it serves, after privileges are dropped: open pools, warm caches. */
  readonly childInit?: (context: ChildContext) => void | Promise<void>;
  /** Runs in each child after its last connection closed, before it exits. */
  readonly childExit?: (context: ChildContext) => void | Promise<void>;
}

const appBrand = Symbol.for("drover.app");

/** Declares an app for drover; `export default defineApp({ ... })`. */
export function defineApp(definition: AppDefinition): AppDefinition {
  if (typeof definition !== "object" || definition === null) {
    throw new TypeError("defineApp() takes an object with `handler` or `createServer`");
  }
  const hasHandler = typeof definition.handler === "function";
  const hasServer = typeof definition.createServer === "function";
  if (hasHandler === hasServer) {
    throw new TypeError("defineApp() needs exactly one of `handler` (a request handler) or `createServer`");
  }
  for (const hook of ["childInit", "childExit"] as const) {
    if (definition[hook] !== undefined && typeof definition[hook] !== "function") {
      throw new TypeError(`defineApp(): \`${hook}\` must be a function`);
    }
  }
  return Object.freeze({ ...definition, [appBrand]: true });
}

/** Whether a module's default export is one drover serves as it is: a request handler or defineApp(). */
export function isAppExport(exported: unknown): boolean {
  return (
    typeof exported === "function" ||
    (typeof exported === "object" && exported !== null && appBrand in exported)
  );
}

/** Turns a module's default export into an app definition, or says what is wrong with it. */
export function toAppDefinition(exported: unknown, where: string): AppDefinition {
  if (typeof exported === "function") return { handler: exported as RequestHandler };
  if (typeof exported === "object" && exported !== null && appBrand in exported)
    return exported as AppDefinition;
  throw new TypeError(
    `${where} must default-export a request handler \`(req, res) => void\` or \`defineApp({ ... })\`, ` +
      `got ${exported === undefined ? "no default export" : typeof exported}${frameworkHint(exported)}`,
  );
}

// The usual mistake: exporting a framework's app object as it is.
function frameworkHint(exported: unknown): string {
  if (exportsNothing(exported)) {
    return "; or have the module call listen() on its server (app.listen(3000)): drover then serves that server";
  }
  if (typeof exported !== "object" || exported === null) return "";
  if ("fetch" in exported) {
    return "; this looks like a fetch-style app (Hono): export `getRequestListener(app.fetch)` from @hono/node-server";
  }
  if ("server" in exported && "ready" in exported) {
    return "; this looks like a Fastify instance: export `defineApp({ createServer: async () => { await app.ready(); return app.server; } })`";
  }
  return "";
}

/** No default export, or a CommonJS module's that set no module.exports (`{}`). */
export function exportsNothing(exported: unknown): boolean {
  return (
    exported === undefined ||
    (typeof exported === "object" &&
      exported !== null &&
      Object.getPrototypeOf(exported) === Object.prototype &&
      Object.keys(exported).length === 0)
  );
}
