// Each framework example under a real drover master: `GET /` and a route with a path parameter answered by
// several children, every request counted on the scoreboard, a graceful reload that keeps serving (no
// request lost, a draining child answers with `Connection: close`, then the old children go), and a stop
// that leaves no process behind.
import assert from "node:assert/strict";
import { Agent } from "node:http";
import { describe, it } from "node:test";
import type { StatusReport } from "../../src/status/report.ts";
import { isAlive, waitForPidsGone } from "../harness/process.ts";
import { startDrover } from "../support/drover.ts";
import { EXAMPLES, type ExampleReply, getJson, requestFromChildren, waitUntil } from "./support.ts";

// Sequential requests on fresh connections while a reload runs: enough to cross it, bounded all the same.
const MAX_REQUESTS_DURING_RELOAD = 2_000;

for (const example of EXAMPLES) {
  describe(`the ${example.name} example`, () => {
    it("serves its routes from several children, counts them, keeps serving through a reload, and stops", {
      timeout: 90_000,
    }, async (t) => {
      const drover = await startDrover({
        // The config names the example's own module; this app.ts is not used.
        app: "export {};\n",
        config: { app: example.app, startServers: 2, workersPerChild: 8 },
      });
      let requests = 0;
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const isRoot = (reply: ExampleReply) => {
          assert.equal(reply.status, 200);
          assert.equal(reply.body.framework, example.name);
          assert.ok(Number.isInteger(reply.body.pid));
          assert.match(String(reply.headers["content-type"]), /^application\/json/);
        };
        const isUser = (reply: ExampleReply) => {
          isRoot(reply);
          assert.equal(reply.body.user, "2");
        };

        // Several children answer both routes.
        const generation0 = (await drover.status()).children.map((child) => child.pid);
        assert.equal(generation0.length, 2);
        const root = await requestFromChildren(drover.port, "/", isRoot);
        const users = await requestFromChildren(drover.port, "/users/2", isUser);
        requests += root.sent + users.sent;
        assert.deepEqual([...root.pids].sort(), [...generation0].sort(), "both children answer /");
        assert.deepEqual([...users.pids].sort(), [...generation0].sort(), "both children answer /users/:id");
        if (example.name === "fastify") {
          // childInit opened the pool in every child before it served.
          assert.equal((await getJson(drover.port, "/")).body.pool, 2);
          requests++;
          for (const pid of generation0)
            assert.match(
              drover.proc.output(),
              new RegExp(`child ${pid} \\(slot \\d+, generation 0\\) opened`),
            );
        }

        // The scoreboard has counted every request.
        await waitUntil(
          `the scoreboard to count ${requests} requests`,
          async () => (await drover.status()).totals.requests >= requests,
        );
        assert.equal((await drover.status()).totals.requests, requests);

        // A keep-alive connection, left idle on a child of generation 0.
        const kept = await getJson(drover.port, "/users/2", agent);
        requests++;
        isUser(kept);
        assert.equal(kept.headers.connection, "keep-alive");
        const keptAt = Date.now();

        // A graceful reload, with requests going on all through it.
        let serving = true;
        const failures: unknown[] = [];
        const during = (async () => {
          let sent = 0;
          while (serving && sent < MAX_REQUESTS_DURING_RELOAD) {
            sent++;
            try {
              isRoot(await getJson(drover.port, "/"));
            } catch (error) {
              failures.push(error);
            }
          }
          return sent;
        })();
        let reloaded: Awaited<ReturnType<typeof drover.cli>>;
        let sentDuring: number;
        try {
          reloaded = await drover.cli("reload");
        } finally {
          serving = false;
          sentDuring = await during;
        }
        requests += sentDuring;
        assert.equal(reloaded.status, 0, reloaded.stderr);
        assert.deepEqual(failures, [], "every request during the reload was answered");
        assert.ok(sentDuring > 0);

        // No request on the kept keep-alive connection is lost. If it still reaches its (now draining)
        // child, that child answers and closes it; if the connection was closed while idle (by the child
        // draining, or by Node's 5 s keep-alive timeout after a slow reload), the client reconnects, to a
        // child of the new generation.
        const idleMs = Date.now() - keptAt;
        const last = await getJson(drover.port, "/users/2", agent);
        requests++;
        isUser(last);
        if (last.body.pid === kept.body.pid) {
          assert.equal(last.headers.connection, "close", "a draining child closes keep-alive connections");
        } else {
          assert.ok(!generation0.includes(last.body.pid), "a new connection goes to the new generation");
          t.diagnostic(`the kept connection was closed while idle (${idleMs} ms) and not reused`);
        }

        // The old generation goes; the new one serves both routes.
        await waitForPidsGone(generation0, 15_000);
        const status = await drover.status();
        assert.equal(status.generation, 1);
        const generation1 = status.children.map((child) => child.pid);
        assert.equal(generation1.length, 2);
        assert.ok(generation1.every((pid) => child(status, pid)?.generation === 1));
        const after = await requestFromChildren(drover.port, "/users/2", isUser);
        requests += after.sent;
        assert.deepEqual([...after.pids].sort(), [...generation1].sort());
        if (example.name === "fastify") {
          // childExit closed the pool of each old child once its last connection had closed.
          for (const pid of generation0) await drover.proc.waitForOutput(new RegExp(`child ${pid} closed`));
          for (const pid of generation1)
            assert.match(
              drover.proc.output(),
              new RegExp(`child ${pid} \\(slot \\d+, generation 1\\) opened`),
            );
        }

        // Requests of retired children stay in the totals.
        await waitUntil(
          `the scoreboard to count ${requests} requests after the reload`,
          async () => (await drover.status()).totals.requests >= requests,
        );
        assert.equal((await drover.status()).totals.requests, requests);

        const stopped = await drover.cli("stop", "--graceful");
        assert.equal(stopped.status, 0, stopped.stderr);
        assert.deepEqual(await drover.proc.waitForExit(15_000), { code: 0, signal: null });
        await waitForPidsGone([drover.proc.pid, ...generation1], 5_000);
        for (const pid of [...generation0, ...generation1]) assert.equal(isAlive(pid), false);
      } finally {
        agent.destroy();
        await drover.stop();
      }
    });
  });
}

function child(status: StatusReport, pid: number) {
  return status.children.find((entry) => entry.pid === pid);
}
