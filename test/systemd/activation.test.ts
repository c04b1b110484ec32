// Socket activation with Debian's systemd-socket-activate, which binds the port, waits for the first
// connection and then execs `drover start` with the socket as descriptor 3 (LISTEN_FDS, LISTEN_PID,
// LISTEN_FDNAMES). Served, reloaded (SIGHUP, as Type=notify-reload sends) and stopped on that socket
// (drover binding the port itself would fail: it is taken); a passed socket that no listen entry
// names, or one that is not a stream, is refused at start with the reason.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { freePort } from "../harness/ports.ts";
import { spawnProcess } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { CLI } from "../support/drover.ts";
import { connectionRefused, request } from "../support/lifecycle.ts";

const APP = `export default (_req: any, res: any) =>
  res.end(JSON.stringify([process.pid, process.env.LISTEN_FDS ?? "unset", process.env.LISTEN_PID ?? "unset"]));
`;

async function activated(t: TestContext, passed: readonly string[], listenPort: number) {
  const dir = makeTempDir("drover-test-activation-");
  t.after(() => dir.remove());
  writeFileSync(join(dir.path, "app.ts"), APP);
  const config = {
    app: "./app.ts",
    listen: [`127.0.0.1:${listenPort}`],
    runDir: "./run",
    startServers: 1,
    workersPerChild: 4,
    minSpareWorkers: 1,
  };
  writeFileSync(join(dir.path, "drover.config.json"), JSON.stringify(config));
  const proc = await spawnProcess(
    "systemd-socket-activate",
    [...passed, "--fdname=web", process.execPath, CLI, "start"],
    { cwd: dir.path, ready: /Listening on/, cleanup: (fn) => t.after(fn) },
  );
  return proc;
}

describe("socket activation", { timeout: 120_000 }, () => {
  it("serves on the socket systemd passed, through a reload and a stop; children never see LISTEN_*", async (t) => {
    const port = await freePort();
    const proc = await activated(t, ["-l", `127.0.0.1:${port}`], port);
    // The first connection makes systemd-socket-activate exec drover; it waits in the socket's queue.
    const first = await request({ port }, "/");
    const [childPid, fds, pid] = JSON.parse(first.body) as [number, string, string];
    assert.deepEqual([first.status, fds, pid], [200, "unset", "unset"]);
    assert.match(
      proc.output(),
      /listening on 127\.0\.0\.1:\d+ \(descriptor 3, \\"web\\"\): passed by systemd/,
    );
    process.kill(proc.pid, "SIGHUP");
    await waitFor("the new generation to serve on the same socket", async () => {
      const [servedBy] = JSON.parse((await request({ port }, "/")).body) as [number];
      return servedBy !== childPid;
    });
    await proc.waitForOutput(/graceful restart done/);
    assert.deepEqual(await proc.stop(), { code: 0, signal: null });
    assert.ok(await connectionRefused(port), "the socket went with the master");
  });

  it("refuses a passed socket that no listen entry names, or one that is not a stream", async (t) => {
    const [listen, other, datagram] = await Promise.all([freePort(), freePort(), freePort()]);
    // Both at once: each fails as it starts.
    const [unnamed, udp] = await Promise.all([
      activated(t, ["-l", `127.0.0.1:${other}`], listen),
      activated(t, ["--datagram", "-l", `127.0.0.1:${datagram}`], datagram),
    ]);
    const knock = connect({ host: "127.0.0.1", port: other }).on("error", () => {});
    t.after(() => knock.destroy());
    const sender = createSocket("udp4");
    t.after(() => sender.close());
    sender.send("knock", datagram, "127.0.0.1");
    assert.equal((await unnamed.waitForExit(60_000)).code, 1, unnamed.output());
    assert.equal((await udp.waitForExit(60_000)).code, 1, udp.output());
    assert.match(
      unnamed.output(),
      new RegExp(
        `systemd passed a socket on 127\\.0\\.0\\.1:${other} \\(descriptor 3, "web"\\) that no listen entry names \\(listen: 127\\.0\\.0\\.1:${listen}\\).*\\[DROVER_ERR_LISTEN_ACTIVATION\\]`,
      ),
    );
    assert.ok(await connectionRefused(listen), "what drover had bound itself was closed again");
    assert.match(
      udp.output(),
      /descriptor 3 \("web"\), passed by systemd, is not a listening stream socket: the socket unit must use ListenStream=/,
    );
  });
});
