// Hono speaks fetch (Request in, Response out); @hono/node-server's createAdaptorServer wraps it in a
// Node http.Server, which drover feeds with connections. Never call `serve()` or `listen` here.
import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { defineApp } from "../../src/index.ts";

const app = new Hono();

app.get("/", (c) => c.json({ framework: "hono", pid: process.pid }));
app.get("/users/:id", (c) => c.json({ framework: "hono", pid: process.pid, user: c.req.param("id") }));

export default defineApp({
  // createAdaptorServer is typed to return an http, http2 or https server; without http2 options it
  // makes a plain http.Server.
  createServer: () => createAdaptorServer({ fetch: app.fetch }) as Server,
});
