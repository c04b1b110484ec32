// Koa's `app.callback()` is a Node request handler: default-export it. Never call `app.listen()`.
import Koa from "koa";

const app = new Koa();

app.use(async (context) => {
  if (context.method !== "GET") return;
  if (context.path === "/") {
    context.body = { framework: "koa", pid: process.pid };
    return;
  }
  const user = /^\/users\/([^/]+)$/.exec(context.path);
  if (user) context.body = { framework: "koa", pid: process.pid, user: decodeURIComponent(user[1] ?? "") };
});

export default app.callback();
