// accessLog: one JSON line per request in drover's log, from the child that served it. One master
// serves every check: it starts with the default (no access line at all), a reload turns the log on
// for the next generation, whose children log each request (keep-alive ones too), and a client that
// goes away before its answer. A bad value is refused by `drover configtest`, naming the field.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { runCli, startDrover } from "../support/drover.ts";
import { RawConnection } from "../support/load.ts";

// /slow never answers: the child says on stdout that it has it, and the test hangs up. /listeners
// answers how many 'close' listeners its response has: none unless the access log is on.
const APP = `
export default (req: any, res: any) => {
  if (req.url === "/slow") return void console.log("slow request in flight");
  if (req.url === "/listeners") return void res.end(String(res.listenerCount("close")));
  if (req.url === "/a") return void res.end("alpha");
  res.statusCode = 201;
  res.end("bee");
};
`;

interface AccessLine {
  readonly pid: number;
  readonly role: string;
  readonly slot: number;
  readonly generation: number;
  readonly msg: string;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
  readonly remote: string;
  readonly httpVersion: string;
  readonly aborted?: boolean;
}

function accessLines(output: string): AccessLine[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{") && line.includes('"msg":"access"'))
    .map((line) => JSON.parse(line) as AccessLine);
}

it("accessLog: off by default; on after a reload, a line per request from the child", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startDrover({ app: APP, config: { startServers: 1 } });
  t.after(() => drover.stop());
  const first = await drover.status();
  const oldPids = first.children.map((child) => child.pid);
  assert.equal((await drover.request("/a")).status, 200);
  assert.equal((await drover.request("/b/c?x=1")).status, 201);
  assert.equal((await drover.request("/listeners")).body, "0", "off, nothing listens on a response");

  drover.writeConfig({ startServers: 1, accessLog: true });
  const reload = await drover.cli("reload");
  assert.equal(reload.status, 0, reload.stderr);
  assert.match(reload.stdout, /generation 1 is serving/);
  // Gone, so everything generation 0 wrote is in the output before anything generation 1 writes.
  await waitForPidsGone(oldPids, 15_000);
  const status = await drover.status();
  const pid = status.children.find((child) => child.generation === 1)?.pid;
  assert.ok(pid !== undefined, JSON.stringify(status.children));

  // Two requests to two paths on one keep-alive connection: each line counts its own body.
  const connection = await RawConnection.open(drover.port);
  t.after(() => connection.close());
  assert.equal((await connection.get("/a")).status, 200);
  assert.equal((await connection.get("/b/c?x=1")).status, 201);
  const lines = await waitFor("two access lines", () => {
    const found = accessLines(drover.proc.output());
    return found.length >= 2 && found;
  });
  assert.equal(lines.length, 2, "generation 0 logged no access line");
  const [a, b] = lines;
  assert.ok(a && b);
  for (const line of lines) {
    assert.deepEqual([line.pid, line.role, line.generation], [pid, "child", 1]);
    assert.deepEqual([line.method, line.httpVersion, line.remote], ["GET", "1.1", "127.0.0.1"]);
    assert.equal(typeof line.slot, "number");
    assert.ok(line.ms >= 0 && Math.round(line.ms * 10) === line.ms * 10, `ms ${line.ms}`);
    assert.equal(line.aborted, undefined);
  }
  assert.deepEqual([a.url, a.status, a.bytes], ["/a", 200, 5]);
  assert.deepEqual([b.url, b.status, b.bytes], ["/b/c?x=1", 201, 3]);

  // A client that hangs up before the answer.
  const gone = await RawConnection.open(drover.port);
  t.after(() => gone.close());
  gone.send("/slow");
  await drover.proc.waitForOutput(/slow request in flight/, 10_000);
  gone.close();
  const aborted = await waitFor("the aborted request's line", () =>
    accessLines(drover.proc.output()).find((line) => line.url === "/slow"),
  );
  assert.deepEqual(
    [aborted.pid, aborted.method, aborted.aborted, aborted.bytes, aborted.remote],
    [pid, "GET", true, 0, "127.0.0.1"],
  );
  // The line above is how the on state shows: one listener a response.
  assert.equal((await drover.request("/listeners")).body, "1");
});

it('accessLog: "yes" is refused by drover configtest, naming the field', { timeout: 30_000 }, async (t) => {
  const dir = makeTempDir("drover-test-access-log-");
  t.after(() => dir.remove());
  writeFileSync(join(dir.path, "app.ts"), APP);
  writeFileSync(join(dir.path, "drover.config.json"), JSON.stringify({ app: "./app.ts", accessLog: "yes" }));
  const result = await runCli(["configtest"], dir.path);
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /config field "accessLog" must be true or false, got "yes"/);
  assert.match(result.stderr, /DROVER_ERR_CONFIG_INVALID/);
});
