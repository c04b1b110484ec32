// A Koa app as PM2 or node:cluster runs it: it calls `app.listen(PORT)` itself and exports nothing.
// drover runs it unchanged and serves the server that listen() made on the config's listen.
import Koa from "koa";

const app = new Koa();

app.use(async (context) => {
  if (context.method !== "GET") return;
  if (context.path === "/") {
    context.body = { framework: "koa-listen", pid: process.pid };
    return;
  }
  const user = /^\/users\/([^/]+)$/.exec(context.path);
  if (user) {
    context.body = { framework: "koa-listen", pid: process.pid, user: decodeURIComponent(user[1] ?? "") };
  }
});

app.listen(Number(process.env.PORT ?? 3000));
