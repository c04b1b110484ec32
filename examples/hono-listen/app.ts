// A Hono app as it runs on Node: `serve()` from @hono/node-server makes the server and listens. drover
// runs it unchanged: the listen() inside serve() binds nothing, and drover serves that server on the
// config's listen; serve()'s callback gets drover's address.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();

app.get("/", (c) => c.json({ framework: "hono-listen", pid: process.pid }));
app.get("/users/:id", (c) => c.json({ framework: "hono-listen", pid: process.pid, user: c.req.param("id") }));

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) }, (info) => {
  console.log(`hono-listen: child ${process.pid} listening on port ${info.port} (drover's)`);
});
