// The framework examples as PM2 and node:cluster run them (each module calls listen() itself and
// exports nothing), under a real master, unchanged: every child serves the app on drover's port, says
// so in one log line, and binds nothing of its own (the app's port stays free), and a stop leaves
// nothing behind. One master per framework, a few requests each.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { freePort } from "../harness/ports.ts";
import { startDrover } from "../support/drover.ts";
import { listeningTcpPorts } from "../support/listening-ports.ts";
import { type ExampleReply, LISTEN_EXAMPLES, requestFromChildren } from "./support.ts";

describe("apps that call listen() themselves", () => {
  for (const example of LISTEN_EXAMPLES) {
    it(`run unchanged: the ${example.name} example is served by every child on drover's port`, {
      timeout: 60_000,
    }, async (t) => {
      // The port the app asks for (its PORT); drover serves it on its own instead.
      const appPort = await freePort();
      const drover = await startDrover({
        // The config names the example's own module; this app.ts is not used.
        app: "export {};\n",
        config: { app: example.app, startServers: 2, workersPerChild: 8 },
        env: { PORT: String(appPort) },
      });
      t.after(() => drover.stop());

      const isUser = (reply: ExampleReply) => {
        assert.equal(reply.status, 200);
        assert.equal(reply.body.framework, example.name);
        assert.equal(reply.body.user, "2");
      };
      // Both children answer (a child whose own listen() had bound the port would keep the other from starting).
      const { pids } = await requestFromChildren(drover.port, "/users/2", isUser);
      const children = [...pids].sort();
      assert.equal(children.length, 2, "both children answer");

      const output = drover.proc.output();
      for (const pid of children) {
        assert.match(
          output,
          new RegExp(
            `"pid":${pid},[^\\n]*app called listen\\(${appPort}[^)]*\\); drover serves it on 127\\.0\\.0\\.1:${drover.port} instead`,
          ),
          `child ${pid} says it serves the app's server`,
        );
        assert.deepEqual(listeningTcpPorts(pid), [drover.port], `child ${pid} binds no port of its own`);
      }
      assert.doesNotMatch(output, /EADDRINUSE|uncaught|second server/);
    });
  }
});
