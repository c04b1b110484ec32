// A plain JavaScript app: a Node request handler, default-exported, no framework and no build step.
const userPath = /^\/users\/([^/?]+)/;

/**
 * @param {import("node:http").IncomingMessage} request
 * @param {import("node:http").ServerResponse} response
 */
export default function app(request, response) {
  const reply = (status, body) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (request.method === "GET" && path === "/")
    return reply(200, { framework: "plain-js", pid: process.pid });
  const user = userPath.exec(path);
  if (request.method === "GET" && user)
    return reply(200, { framework: "plain-js", pid: process.pid, user: decodeURIComponent(user[1]) });
  reply(404, { framework: "plain-js", pid: process.pid, error: "not found" });
}
