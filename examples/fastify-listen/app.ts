// A Fastify app as PM2 or node:cluster runs it: it awaits `app.listen({ port })` at the top level and
// exports nothing. drover runs it unchanged: the listen() binds nothing (nor the second binding Fastify
// makes for "localhost", ::1 beside 127.0.0.1); drover serves `app.server` on the config's listen, and
// tells Fastify it listens, so the await goes on.
import Fastify from "fastify";

const app = Fastify();

app.get("/", async () => ({ framework: "fastify-listen", pid: process.pid }));
app.get<{ Params: { id: string } }>("/users/:id", async (request) => ({
  framework: "fastify-listen",
  pid: process.pid,
  user: request.params.id,
}));

const address = await app.listen({ port: Number(process.env.PORT ?? 3000) });
console.log(`fastify-listen: child ${process.pid} listening at ${address} (drover's address)`);
