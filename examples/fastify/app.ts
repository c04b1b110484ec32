// Fastify makes its own server: build the app, wait for `ready()`, and give drover `app.server`. drover
// never calls `listen` on it; it hands each child's connections to it. childInit and childExit run in
// every child: here they open and close a (fake) connection pool, one per child, as a database pool
// would be, because a pool opened in the master could not be shared by the children.
import type { Server } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import { defineApp } from "../../src/index.ts";

/** Stands in for a database pool: a Map of users, opened per child. */
type Pool = Map<string, { readonly name: string }>;

let pool: Pool | undefined;
let app: FastifyInstance | undefined;

function openPool(): Pool {
  return new Map([
    ["1", { name: "ada" }],
    ["2", { name: "grace" }],
  ]);
}

export default defineApp({
  createServer: async (): Promise<Server> => {
    app = Fastify();
    app.get("/", async () => ({ framework: "fastify", pid: process.pid, pool: pool?.size ?? 0 }));
    app.get<{ Params: { id: string } }>("/users/:id", async (request, reply) => {
      const user = pool?.get(request.params.id);
      if (!user)
        return reply.code(404).send({ framework: "fastify", pid: process.pid, error: "no such user" });
      return { framework: "fastify", pid: process.pid, user: request.params.id, name: user.name };
    });
    await app.ready();
    return app.server;
  },
  childInit: ({ slot, generation }) => {
    pool = openPool();
    console.log(
      `fastify example: child ${process.pid} (slot ${slot}, generation ${generation}) opened its pool`,
    );
  },
  childExit: async () => {
    pool?.clear();
    pool = undefined;
    // Runs Fastify's onClose hooks; the server was never listening, which Fastify accepts.
    await app?.close();
    console.log(`fastify example: child ${process.pid} closed its pool`);
  },
});
