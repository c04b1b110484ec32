// Loads the user's app module in a child and builds the server it serves with, wired to the child's
// request accounting: drover's own server for a request handler, or the framework's own (createServer).
import { subscribe } from "node:diagnostics_channel";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { pathToFileURL } from "node:url";
import { type AppDefinition, type ChildContext, toAppDefinition } from "../app/define.ts";
import { OWN_SERVER_TIMEOUTS } from "../config/defaults.ts";
import { type DroverModule, defineModule } from "../modules/index.ts";
import type { Answer, LaneFactory } from "./slow-lane/slow-lane.ts";
import type { ServerTimeouts } from "./spec.ts";

// How often drover's own server looks for connections past headersTimeout or requestTimeout (Node's
// default is 30 s, which lets a slow client hold a connection for half a minute past its deadline).
const CONNECTIONS_CHECK_MS = 1_000;

/** What the server tells the child's worker slots about each request and connection. */
export interface RequestAccounting {
  requestStarted(request: IncomingMessage, response: ServerResponse): void;
  requestFinished(response: ServerResponse, socket: Socket): void;
  upgraded(socket: Socket): void;
}

/** Whatever answers a request before the app does: the modules' request handlers. */
export interface RequestInterceptor {
  /** True when it answered the request (the app does not see it), or a promise of that. */
  handle(request: IncomingMessage, response: ServerResponse): boolean | Promise<boolean>;
}

/** What a handler that throws (or whose promise rejects) gets: that request's 500, nothing else. */
export type HandlerFailure = (error: unknown, request: IncomingMessage, response: ServerResponse) => void;

export interface ServerParts {
  readonly accounting: RequestAccounting;
  readonly modules: RequestInterceptor;
  readonly lane: LaneFactory;
  readonly timeouts: ServerTimeouts;
  readonly failed: HandlerFailure;
}

export interface LoadedApp {
  readonly definition: AppDefinition;
  readonly server: Server;
}

export async function loadApp(path: string, parts: ServerParts): Promise<LoadedApp> {
  const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  const definition = toAppDefinition(module.default, path);
  const server = await buildServer(definition, parts, path);
  accountFinishes(server, parts.accounting);
  // Node starts enforcing the server's own limits (headersTimeout, requestTimeout) and tracking its
  // connections on 'listening'; drover never calls listen(), so it says so itself.
  server.emit("listening");
  return { definition, server };
}

async function buildServer(definition: AppDefinition, parts: ServerParts, path: string): Promise<Server> {
  const { accounting, modules, lane, timeouts, failed } = parts;
  const handler = definition.handler;
  if (handler) {
    // drover makes this server, so its own request listener accounts for each request as it starts.
    const start = lane(safely(modulesThen(modules, handler), failed));
    const headersTimeout = timeouts.headersTimeoutMs ?? OWN_SERVER_TIMEOUTS.headersTimeout;
    const requestTimeout = timeouts.requestTimeoutMs ?? OWN_SERVER_TIMEOUTS.requestTimeout;
    return createServer(
      {
        // Node refuses a headers timeout longer than a (non-zero) request timeout.
        headersTimeout: requestTimeout > 0 ? Math.min(headersTimeout, requestTimeout) : headersTimeout,
        requestTimeout,
        keepAliveTimeout: timeouts.keepAliveTimeoutMs ?? OWN_SERVER_TIMEOUTS.keepAliveTimeout,
        connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
      },
      (request, response) => {
        accounting.requestStarted(request, response);
        start(request, response);
      },
    );
  }
  const server = await definition.createServer?.();
  if (!server || typeof server.prependListener !== "function") {
    throw new TypeError(`${path}: createServer() must return a Node http.Server (or one of its kind)`);
  }
  // A framework's server keeps its own timeouts, except those the config sets.
  if (timeouts.headersTimeoutMs !== undefined) server.headersTimeout = timeouts.headersTimeoutMs;
  if (timeouts.requestTimeoutMs !== undefined) server.requestTimeout = timeouts.requestTimeoutMs;
  if (timeouts.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  // An upgraded connection (a WebSocket) is busy for its whole life: a drain must not take it for idle.
  server.prependListener("upgrade", (_request: IncomingMessage, socket: Socket) => {
    // Without a listener of its own the app cannot take it; Node would have closed it.
    if (server.listenerCount("upgrade") === 1) socket.destroy();
    else accounting.upgraded(socket);
  });
  // A framework's own server: each request is accounted and offered to the modules as the server
  // emits it, before the framework's listener can see it.
  const emit = server.emit as (event: string | symbol, ...args: unknown[]) => boolean;
  const start = lane(
    safely(
      modulesThen(modules, (request, response) => emit.call(server, "request", request, response)),
      failed,
    ),
  );
  server.emit = function (
    this: Server,
    event: string | symbol,
    request?: IncomingMessage,
    response?: ServerResponse,
  ): boolean {
    // Every other event goes on with its arguments as they came.
    // biome-ignore lint/complexity/noArguments: a rest parameter would make an array on every emit
    if (event !== "request") return emit.apply(this, arguments as unknown as Parameters<typeof emit>);
    accounting.requestStarted(request as IncomingMessage, response as ServerResponse);
    start(request as IncomingMessage, response as ServerResponse);
    return true;
  } as Server["emit"];
  return server;
}

/** The message Node publishes on `http.server.response.finish` as each response finishes. */
interface ResponseFinish {
  readonly response: ServerResponse;
  readonly socket: Socket;
  readonly server: Server;
}

/**
 * Accounts for each response of `server` as it finishes, from Node's own diagnostics channel: nothing is
 * added to each response (a listener, or a property that would give every response a hidden class of
 * its own), and a framework's server is told apart only by its identity. The channel is the process's,
 * so another server in the child (a module's) is left alone.
 */
function accountFinishes(server: Server, accounting: RequestAccounting): void {
  subscribe("http.server.response.finish", (message) => {
    const finish = message as ResponseFinish;
    if (finish.server === server) accounting.requestFinished(finish.response, finish.socket);
  });
}

/** Offers each request to the modules' handlers, and passes those they do not answer to `app`. */
function modulesThen(modules: RequestInterceptor, app: Answer): Answer {
  return (request, response) => {
    const handled = modules.handle(request, response);
    if (handled === false) return app(request, response);
    if (handled !== true) return handled.then((answered) => answered || app(request, response));
    return undefined;
  };
}

/**
 * A handler that throws, or returns a promise that rejects, fails its own request only: it gets a
 * 500 (or its connection is closed, when the response had begun), and the child serves on.
 */
function safely(answer: Answer, failed: HandlerFailure): Answer {
  return (request, response) => {
    try {
      const result = answer(request, response) as unknown;
      if (result instanceof Promise) result.catch((error: unknown) => failed(error, request, response));
    } catch (error) {
      failed(error, request, response);
    }
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
