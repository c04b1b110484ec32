// A node:cluster app in CommonJS, with no framework: the primary forks a worker per CPU, each worker
// listens on PORT. It runs as it is with `node server.cjs`, and under drover unchanged: in a drover
// child node:cluster says "worker", so the module takes its worker branch, whose listen() binds nothing;
// drover serves that server on the config's listen, from every child.
const cluster = require("node:cluster");
const http = require("node:http");
const { availableParallelism } = require("node:os");

const userPath = /^\/users\/([^/?]+)/;

if (cluster.isPrimary) {
  for (let i = 0; i < availableParallelism(); i++) cluster.fork();
} else {
  const server = http.createServer((request, response) => {
    const reply = (status, body) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify({ framework: "http-listen", pid: process.pid, ...body }));
    };
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (request.method === "GET" && path === "/") return reply(200, {});
    const user = userPath.exec(path);
    if (request.method === "GET" && user) return reply(200, { user: decodeURIComponent(user[1]) });
    reply(404, { error: "not found" });
  });
  server.listen(process.env.PORT ?? 3000);
}
