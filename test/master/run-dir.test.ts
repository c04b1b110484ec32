// The run directory and the pid file (review D15, chaos D3, D11, newcomer A5): a run directory that
// cannot be made gets a code and advice; a failed start leaves no empty run directory; a stale pid file
// never blocks a start, and `drover stop` never signals the unrelated process its pid now belongs to.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { it } from "node:test";
import { freePort } from "../harness/ports.ts";
import { isAlive, spawnNode } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { runCli } from "../support/drover.ts";
import { startMasterIn } from "../support/lifecycle.ts";

const APP = "export default (_req: any, res: any) => res.end('ok');";

function folder(t: { after(fn: () => void): void }, config: Record<string, unknown>) {
  const dir = makeTempDir("drover-test-rundir-");
  t.after(dir.remove);
  writeFileSync(join(dir.path, "app.ts"), APP);
  writeFileSync(join(dir.path, "drover.config.json"), JSON.stringify({ app: "./app.ts", ...config }));
  return dir.path;
}

it("a run directory that cannot be made: DROVER_ERR_RUN_DIR, with what to do", {
  timeout: 30_000,
}, async (t) => {
  const port = await freePort();
  const dir = folder(t, { listen: [`127.0.0.1:${port}`], runDir: "./blocked/run" });
  writeFileSync(join(dir, "blocked"), "a file in the way");
  const result = await runCli(["start"], dir);
  assert.equal(result.status, 1, result.stderr);
  assert.match(
    result.stderr,
    /cannot create the run directory .*blocked\/run \(E\w+\): .*\[DROVER_ERR_RUN_DIR\]/,
  );
});

it("a start that fails (the port is taken) leaves no empty run directory", { timeout: 30_000 }, async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const dir = folder(t, { listen: [`127.0.0.1:${port}`] });
  const result = await runCli(["start"], dir);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /DROVER_ERR_LISTEN_IN_USE/);
  assert.equal(existsSync(join(dir, ".drover")), false, "no run directory left");
  // Nor the parents it had to make for a nested one; a folder that was there stays.
  const nested = folder(t, { listen: [`127.0.0.1:${port}`], runDir: "./made/for/it" });
  const again = await runCli(["start"], nested);
  assert.equal(again.status, 1);
  assert.equal(existsSync(join(nested, "made")), false, "none of the folders it made is left");
  assert.ok(existsSync(nested));
});

it("a stale pid file naming a live, unrelated process: stop leaves it alone, start takes the file over", {
  timeout: 60_000,
}, async (t) => {
  const port = await freePort();
  const dir = folder(t, { listen: [`127.0.0.1:${port}`] });
  const runDir = join(dir, ".drover");
  mkdirSync(runDir, { mode: 0o700 });
  // Stands for whatever got a dead master's pid after a crash and a reboot; it ignores SIGTERM.
  const unrelated = await spawnNode(
    "-e",
    ["process.on('SIGTERM', () => {}); setInterval(() => {}, 60000); console.log('up')"],
    {
      ready: /up/,
      cleanup: (stop) => t.after(stop),
    },
  );
  writeFileSync(join(runDir, "drover.pid"), `${unrelated.pid}\n`);
  const stop = await runCli(["stop"], dir);
  assert.equal(stop.status, 3, stop.stderr);
  assert.match(stop.stderr, /no drover master runs/);
  assert.equal(isAlive(unrelated.pid), true, "drover stop signalled a process that is no master (chaos D3)");

  const master = await startMasterIn(dir);
  t.after(() => master.stop());
  const status = await runCli(["status", "--json"], dir);
  assert.equal(status.status, 0, status.stderr);
  assert.equal((JSON.parse(status.stdout) as { masterPid: number }).masterPid, master.pid);
  const stopped = await runCli(["stop"], dir);
  assert.equal(stopped.status, 0, stopped.stderr);
  assert.deepEqual(await master.waitForExit(20_000), { code: 0, signal: null });
  assert.equal(isAlive(unrelated.pid), true);
  assert.equal(existsSync(runDir), false);
});

it("a run directory of another user: the commands say permission denied, not that no master runs", {
  timeout: 60_000,
}, async (t) => {
  const port = await freePort();
  const dir = folder(t, { listen: [`127.0.0.1:${port}`] });
  chmodSync(dir, 0o755);
  const master = await startMasterIn(dir);
  t.after(() => master.stop());
  for (const command of ["stop", "status", "reload"]) {
    const result = await runCliAs(65534, [command, "--run-dir", join(dir, ".drover")], dir);
    assert.equal(result.status, 1, `${command}: ${result.stderr}`);
    assert.match(result.stderr, /permission denied/i, command);
    assert.doesNotMatch(result.stderr, /no drover master runs/, command);
  }
  assert.equal(isAlive(master.pid), true);
});

/**
 * `drover <args>` as another user, to completion. The clone may sit in a folder only root may enter, so
 * the command keeps the one capability to read drover's own files (CAP_DAC_READ_SEARCH: read and
 * search only, never write or signal), as in control-permission.test.ts.
 */
function runCliAs(uid: number, args: readonly string[], cwd: string) {
  return runCli(args, cwd, [
    ...["setpriv", "--reuid", String(uid), "--regid", String(uid), "--clear-groups"],
    ...["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"],
  ]);
}
