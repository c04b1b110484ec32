// `drover systemd`: the service unit and the socket unit it prints for a config, checked by
// `systemd-analyze verify` (it needs no running systemd) and read for what drover's stop, reload and
// notifications need: the stop signal, TimeoutStopSec from the config's graceful timeout, the watchdog.
// (The other signal mapping and Type=notify-reload, which this host's systemd 252 cannot verify, are
// in test/systemd/unit.test.ts.)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { makeTempDir } from "../harness/temp.ts";
import { CLI, runCli } from "../support/drover.ts";

function verify(...units: string[]) {
  return spawnSync("systemd-analyze", ["verify", ...units], { encoding: "utf8", timeout: 60_000 });
}

// What this host's systemd runs: Type=notify-reload came with 253.
function hostSystemd(): number {
  return Number(
    /^systemd (\d+)/.exec(spawnSync("systemctl", ["--version"], { encoding: "utf8" }).stdout)?.[1],
  );
}

describe("drover systemd", { timeout: 120_000 }, () => {
  it("prints units that systemd-analyze verify accepts, made from the config", async (t) => {
    const dir = makeTempDir("drover-test-systemd-");
    t.after(() => dir.remove());
    writeFileSync(join(dir.path, "app.ts"), "export default (_req: any, res: any) => res.end('ok');\n");
    const config = join(dir.path, "drover.config.json");
    writeFileSync(
      config,
      JSON.stringify({
        app: "./app.ts",
        listen: ["127.0.0.1:18080", "[::]:18081", "./app.sock"],
        gracefulShutdownTimeout: "20s",
        shutdownDelay: "5s",
        user: "nobody",
      }),
    );
    const [service, socket] = await Promise.all([
      runCli(["systemd", "-c", config, "--name", "myapp"], dir.path),
      runCli(["-c", config, "systemd", "--socket", "--name", "myapp"], dir.path),
    ]);
    assert.equal(service.status, 0, service.stderr);
    assert.equal(socket.status, 0, socket.stderr);
    writeFileSync(join(dir.path, "myapp.service"), service.stdout);
    writeFileSync(join(dir.path, "myapp.socket"), socket.stdout);
    const checked = verify(join(dir.path, "myapp.service"), join(dir.path, "myapp.socket"));
    assert.deepEqual([checked.status, checked.stderr], [0, ""], checked.stdout);

    const unit = service.stdout;
    const type = hostSystemd() >= 253 ? "notify-reload" : "notify";
    assert.match(unit, new RegExp(`^Type=${type}$`, "m"), "what this host's systemd runs");
    assert.ok(unit.includes(`\nExecStart=${process.execPath} ${CLI} start --config ${config}\n`), unit);
    if (type === "notify")
      assert.ok(unit.includes(`\nExecReload=${process.execPath} ${CLI} reload --config ${config}\n`));
    for (const line of [
      "NotifyAccess=main",
      "KillSignal=SIGTERM",
      "KillMode=mixed",
      "WatchdogSec=30",
      "Restart=on-failure",
    ]) {
      assert.match(unit, new RegExp(`^${line}$`, "m"));
    }
    // shutdownDelay 5 s + gracefulShutdownTimeout 20 s + 6 s for the children left + 5 s.
    assert.match(unit, /^TimeoutStopSec=36$/m);
    assert.match(unit, /children run as nobody/);
    assert.match(unit, new RegExp(`^WorkingDirectory=${dir.path}$`, "m"));

    assert.match(socket.stdout, /^ListenStream=127\.0\.0\.1:18080\nListenStream=\[::\]:18081\n/m);
    assert.ok(socket.stdout.includes(`\nListenStream=${join(dir.path, "app.sock")}\n`));
    for (const line of [
      "SocketMode=0660",
      "BindIPv6Only=ipv6-only",
      "Service=myapp.service",
      "Backlog=4096",
    ]) {
      assert.match(socket.stdout, new RegExp(`^${line}$`, "m"));
    }
  });
});
