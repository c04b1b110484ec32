// Loads the user's app module in a child and builds the server it serves with, wired to the child's
// request accounting.
import { createServer, type IncomingMessage, type Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { pathToFileURL } from "node:url";
import { type AppDefinition, type ChildContext, toAppDefinition } from "../app/define.ts";
import { type DroverModule, defineModule } from "../modules/index.ts";
import type { Answer, LaneFactory } from "./slow-lane.ts";

/** What the server tells the child's worker slots about each request. */
export interface RequestAccounting {
  requestStarted(request: IncomingMessage, response: ServerResponse): void;
  requestFinished(response: ServerResponse, socket: Socket): void;
}

/** Whatever answers a request before the app does: the modules' request handlers. */
export interface RequestInterceptor {
  /** True when it answered the request (the app does not see it), or a promise of that. */
  handle(request: IncomingMessage, response: ServerResponse): boolean | Promise<boolean>;
}

export interface LoadedApp {
  readonly definition: AppDefinition;
  readonly server: Server;
}

export async function loadApp(
  path: string,
  accounting: RequestAccounting,
  modules: RequestInterceptor,
  lane: LaneFactory,
): Promise<LoadedApp> {
  const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  const definition = toAppDefinition(module.default, path);
  const server = await buildServer(definition, accounting, modules, lane, path);
  // Node starts enforcing the server's own limits (headersTimeout, requestTimeout) and tracking its
  // connections on 'listening'; drover never calls listen(), so it says so itself.
  server.emit("listening");
  return { definition, server };
}

async function buildServer(
  definition: AppDefinition,
  accounting: RequestAccounting,
  modules: RequestInterceptor,
  lane: LaneFactory,
  path: string,
): Promise<Server> {
  const handler = definition.handler;
  if (handler) {
    // drover makes this server, so it accounts with plain calls: the wrapped handler, and the
    // response's detachSocket, which Node calls as each response finishes. It is set on the response
    // itself, not through a subclass: Express swaps every response's prototype for its own.
    const detachSocket = ServerResponse.prototype.detachSocket;
    function accountedDetach(this: ServerResponse, socket: Socket): void {
      accounting.requestFinished(this, socket);
      detachSocket.call(this, socket);
    }
    const start = lane(offeredFirst(modules, handler));
    return createServer((request, response) => {
      response.detachSocket = accountedDetach;
      accounting.requestStarted(request, response);
      start(request, response);
    });
  }
  const server = await definition.createServer?.();
  if (!server || typeof server.prependListener !== "function") {
    throw new TypeError(`${path}: createServer() must return a Node http.Server (or one of its kind)`);
  }
  // A framework's own server: each request is accounted and offered to the modules as the server
  // emits it, before the framework's listener can see it.
  const emit = server.emit as (event: string | symbol, ...args: unknown[]) => boolean;
  const start = lane(
    offeredFirst(modules, (request, response) => emit.call(server, "request", request, response)),
  );
  server.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== "request") return emit.call(this, event, ...args);
    const [request, response] = args as [IncomingMessage, ServerResponse];
    accounting.requestStarted(request, response);
    response.once("finish", () => accounting.requestFinished(response, request.socket));
    start(request, response);
    return true;
  } as Server["emit"];
  return server;
}

/** Offers each request to the modules' handlers, and passes those they do not answer to `app`. */
function offeredFirst(modules: RequestInterceptor, app: Answer): Answer {
  return (request, response) => {
    const handled = modules.handle(request, response);
    if (handled === false) app(request, response);
    else if (handled !== true) void handled.then((answered) => answered || app(request, response));
  };
}

/**
 * The app's childInit and childExit as a module like any other: its childInit runs after every other
 * module's (what it uses is ready), its childExit before theirs (it stops using them first).
 */
export function appModule(definition: AppDefinition, context: ChildContext): DroverModule {
  return defineModule({
    name: "app",
    hooks: {
      ...(definition.childInit ? { childInit: () => definition.childInit?.(context) } : {}),
      ...(definition.childExit ? { childExit: () => definition.childExit?.(context) } : {}),
    },
    order: {
      ...(definition.childInit ? { childInit: { position: "last" } } : {}),
      ...(definition.childExit ? { childExit: { position: "first" } } : {}),
    },
  });
}
