// Loads the user's app module in a child and builds the server it serves with.
import { createServer, type Server } from "node:http";
import { pathToFileURL } from "node:url";
import { type AppDefinition, toAppDefinition } from "../app/define.ts";

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
  return { definition, server };
}
