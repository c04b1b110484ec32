// Loads the user's app module in a child and builds the server it serves with.
import { createServer, type Server } from "node:http";
import { pathToFileURL } from "node:url";
import { type AppDefinition, type ChildContext, toAppDefinition } from "../app/define.ts";
import { type DroverModule, defineModule } from "../modules/index.ts";

export interface LoadedApp {
  readonly definition: AppDefinition;
  readonly server: Server;
}

export async function loadApp(path: string): Promise<LoadedApp> {
  const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  const definition = toAppDefinition(module.default, path);
  const server = definition.handler ? createServer(definition.handler) : await definition.createServer?.();
  if (!server || typeof server.emit !== "function") {
    throw new TypeError(`${path}: createServer() must return a Node http.Server (or one of its kind)`);
  }
  // Node starts enforcing the server's own limits (headersTimeout, requestTimeout) and tracking its
  // connections on 'listening'; drover never calls listen(), so it says so itself.
  server.emit("listening");
  return { definition, server };
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
