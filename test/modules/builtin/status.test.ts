// The built-in status module: its report and renderings from a made-up scoreboard, then the page as a
// real master's children serve it (forms, access, methods, refresh, requests in flight, generations,
// bad options at start and at reload).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { describe, it } from "node:test";
import { queryIfPath } from "../../../src/modules/builtin/request-path.ts";
import { readStatusOptions } from "../../../src/modules/builtin/status/options.ts";
import { statusPageReport } from "../../../src/modules/builtin/status/page-report.ts";
import { renderAuto } from "../../../src/modules/builtin/status/render-auto.ts";
import { renderHtml } from "../../../src/modules/builtin/status/render-html.ts";
import type { ScoreboardSnapshot, WorkerSnapshot } from "../../../src/scoreboard/index.ts";
import { ProcessState, WorkerState, workerStateLetter } from "../../../src/scoreboard/index.ts";
import { readDroverVersion } from "../../../src/util/version.ts";
import { makeTempDir } from "../../harness/temp.ts";
import { waitFor } from "../../harness/wait.ts";
import { type RunningDrover, runCli, startDrover } from "../../support/drover.ts";

const NOW = Date.parse("2026-01-02T03:04:05.000Z");
const TOKEN = "status-token-0123456789";

function worker(index: number, state: WorkerState, fields: Partial<WorkerSnapshot> = {}): WorkerSnapshot {
  return {
    worker: index,
    state,
    letter: workerStateLetter(state),
    requests: 0,
    bytes: 0,
    request: "",
    requestStart: 0,
    lastUsed: 0,
    consistent: true,
    damaged: [],
    ...fields,
  };
}

// Generation 1 is current; slot 0 is an old child finishing one request, slot 1 a new one serving one.
function madeUpSnapshot(): ScoreboardSnapshot {
  const old = [
    worker(0, WorkerState.Graceful, {
      requests: 4,
      bytes: 4000,
      request: "GET /report",
      requestStart: NOW - 2500,
      lastUsed: NOW - 3000,
    }),
    worker(1, WorkerState.Dead, { requests: 6, bytes: 2000, request: "GET /done", lastUsed: NOW - 9000 }),
  ];
  const current = [
    worker(0, WorkerState.Writing, {
      request: `GET /search?q=<script>alert("x")</script>&token=***`,
      requestStart: NOW - 1200,
    }),
    worker(1, WorkerState.Keepalive, {
      requests: 10,
      bytes: 10_000,
      request: "GET /last",
      requestStart: NOW - 500,
      lastUsed: NOW - 400,
    }),
    worker(2, WorkerState.Ready),
  ];
  const process = (slot: number, generation: number, workers: WorkerSnapshot[], quiescing: boolean) => ({
    slot,
    role: "child" as const,
    serviceIndex: undefined,
    service: undefined,
    pid: 1000 + slot,
    generation,
    quiescing,
    state: quiescing ? ProcessState.Stopping : ProcessState.Ready,
    workerCount: workers.length,
    openConnections: 0,
    slowLaneWaiting: quiescing ? 0 : 1,
    slowLaneRequests: quiescing ? 0 : 7,
    slowLaneShed: 0,
    evicted: 0,
    startTime: NOW - 60_000,
    heartbeat: NOW - 700,
    connections: 3,
    rss: 50 * 1024 * 1024,
    heapUsed: 1,
    consistent: true,
    damaged: [],
    requests: workers.reduce((sum, w) => sum + w.requests, 0),
    bytes: workers.reduce((sum, w) => sum + w.bytes, 0),
    busyWorkers: workers.filter((w) => w.state >= WorkerState.Reading && w.state <= WorkerState.Graceful)
      .length,
    idleWorkers: workers.filter((w) => w.state === WorkerState.Ready).length,
    workers,
  });
  return {
    serverLimit: 4,
    workerLimit: 4,
    generation: 1,
    masterPid: 999,
    startTime: NOW - 100_000,
    restartTime: NOW - 30_000,
    failedRestartTime: NOW - 5_000,
    spawnRate: 1,
    slotBound: 3,
    droneBase: 4,
    serviceLimit: 64,
    counters: {
      gracefulRestarts: 1,
      hardRestarts: 0,
      failedRestarts: 1,
      childrenStarted: 3,
      childrenFailed: 1,
    },
    consistent: true,
    damaged: [],
    damagedRecords: 0,
    processes: [process(0, 0, old, true), process(2, 1, current, false)],
    services: [],
    totals: { children: 2, busyWorkers: 3, idleWorkers: 1, requests: 25, bytes: 20_480, connections: 6 },
  };
}

describe("the status report and its forms (made-up scoreboard)", () => {
  const report = statusPageReport(madeUpSnapshot(), "9.9.9", NOW);

  it("reports totals, rates, restarts and each child's workers", () => {
    assert.equal(report.masterPid, 999);
    assert.equal(report.generation, 1);
    assert.equal(report.version, "9.9.9");
    assert.equal(report.currentTime, "2026-01-02T03:04:05.000Z");
    assert.equal(report.uptimeSeconds, 100);
    assert.equal(report.sinceRestartSeconds, 30);
    assert.deepEqual(report.restarts, { graceful: 1, hard: 0, failed: 1, lastFailedSecondsAgo: 5 });
    assert.equal(report.childrenStarted, 3);
    assert.equal(report.childrenFailed, 1);
    assert.equal(report.requestsPerSecond, 0.25);
    assert.equal(report.bytesPerSecond, 204.8);
    assert.equal(report.bytesPerRequest, 819.2);
    assert.equal(report.scoreboard, "G.WK_");
    assert.deepEqual(
      report.children.map((c) => [
        c.slot,
        c.pid,
        c.generation,
        c.oldGeneration,
        c.quiescing,
        c.grid,
        c.bytes,
      ]),
      [
        [0, 1000, 0, true, true, "G.", 6000],
        [2, 1002, 1, false, false, "WK_", 10_000],
      ],
    );
    const [old, current] = report.children;
    // The old child's G worker began a request after its last one ended: it is still running.
    assert.deepEqual(
      old?.workers.map((w) => [w.letter, w.busy, w.inProgress, w.requestAgeMs]),
      [
        ["G", true, true, 2500],
        [".", false, false, null],
      ],
    );
    // K holds a connection (busy), but its request is over.
    assert.deepEqual(
      current?.workers.map((w) => [w.letter, w.busy, w.inProgress, w.requestAgeMs]),
      [
        ["W", true, true, 1200],
        ["K", true, false, null],
        ["_", false, false, null],
      ],
    );
  });

  it("renders HTML with the grid, its key, a row per child, and client text escaped", () => {
    const html = renderHtml(report, { refresh: 0, carry: [["token", "a&b"]] });
    assert.doesNotMatch(html, /<script/i, "no markup from a request line");
    assert.match(
      html,
      /GET \/search\?q=&#60;script&#62;alert\(&#34;x&#34;\)&#60;\/script&#62;&#38;token=\*\*\* \(1\.2 s\)/,
    );
    assert.match(html, /<div id="scoreboard" class="scoreboard">/);
    assert.match(
      html,
      /data-slot="0" data-pid="1000"><span class="slot">0<\/span><span class="letters"><b>G<\/b>\.<\/span>/,
    );
    assert.match(
      html,
      /data-slot="2" data-pid="1002"><span class="slot">2<\/span><span class="letters"><b>W<\/b><b>K<\/b>_<\/span>/,
    );
    assert.match(
      html,
      /<ul id="key" class="key">[\s\S]*<code>W<\/code>sending reply[\s\S]*<code>\.<\/code>open slot/,
    );
    assert.match(
      html,
      /<tr class="old" data-slot="0" data-pid="1000">.*<td>0 <span class="marker"[^>]*>old<\/span><\/td>/,
    );
    assert.match(html, /<tr data-slot="2" data-pid="1002">.*<td>1<\/td><td>ready<\/td>/);
    assert.match(html, /<tr data-slot="2" .*<td class="num">7 \(1 waiting\)<\/td><\/tr>/, "its slow lane");
    // Only requests in progress are "current": the K worker's last request is not.
    assert.doesNotMatch(html, /GET \/last/);
    assert.match(html, /<code>GET \/report \(2\.5 s\)<\/code>/);
    assert.match(html, /<dt>Restarts<\/dt><dd>1 graceful, 0 hard, 1 failed \(the last 5s ago\)<\/dd>/);
    assert.match(html, /<dt>Server uptime<\/dt><dd>1m 40s<\/dd>/);
    assert.match(html, /<dt>Since last restart<\/dt><dd>30s<\/dd>/);
    assert.match(html, /<dt>Total traffic<\/dt><dd>20\.0 kB<\/dd>/);
    assert.match(html, /0\.25 requests\/s/);
    assert.match(html, /<dt>Workers<\/dt><dd>3 busy, 1 idle<\/dd>/);
    assert.match(html, /drover 9\.9\.9/);
    // Links keep the token the page was opened with, escaped in the attribute.
    assert.match(html, /<a href="\?json&#38;token=a%26b">json<\/a>/);
    assert.doesNotMatch(html, /http-equiv="refresh"/);
    assert.match(
      renderHtml(report, { refresh: 9, carry: [] }),
      /<meta http-equiv="refresh" content="9">[\s\S]*reloads every 9 s \(<a href="\?refresh=0">stop<\/a>\)/,
    );
  });

  it("renders ?auto as mod_status's name: value lines", () => {
    const auto = parseAuto(renderAuto(report));
    assert.equal(auto.get("Total Accesses"), "25");
    assert.equal(auto.get("Total kBytes"), "20");
    assert.equal(auto.get("Uptime"), "100");
    assert.equal(auto.get("ReqPerSec"), "0.25");
    assert.equal(auto.get("BytesPerSec"), "204.8");
    assert.equal(auto.get("BytesPerReq"), "819.2");
    assert.equal(auto.get("BusyWorkers"), "3");
    assert.equal(auto.get("IdleWorkers"), "1");
    assert.equal(auto.get("Processes"), "2");
    assert.equal(auto.get("Stopping"), "1");
    assert.equal(auto.get("Generation"), "1");
    assert.equal(auto.get("GracefulRestarts"), "1");
    assert.equal(auto.get("FailedRestarts"), "1");
    assert.equal(auto.get("SinceFailedRestartSeconds"), "5");
    assert.equal(auto.get("ServerVersion"), "drover/9.9.9");
    assert.equal(auto.get("Scoreboard"), "G.WK_");
    // A slow server's rate keeps its digits, in plain notation.
    const slow = statusPageReport({ ...madeUpSnapshot(), startTime: NOW - 25_000_000_000 }, null, NOW);
    assert.equal(parseAuto(renderAuto(slow)).get("ReqPerSec"), "0.000001");
    assert.equal(parseAuto(renderAuto(slow)).get("ServerVersion"), "drover/unknown");
  });
});

describe("the status module's options and path", () => {
  it("matches its path exactly, with any query", () => {
    assert.equal(queryIfPath("/server-status", "/server-status"), "");
    assert.equal(queryIfPath("/server-status?auto&x=1", "/server-status"), "auto&x=1");
    assert.equal(queryIfPath("http://example.test/server-status?json", "/server-status"), "json");
    for (const other of ["/server-status/", "/server-statusx", "/server", "/", "*", "http://example.test/"]) {
      assert.equal(queryIfPath(other, "/server-status"), undefined, other);
    }
  });

  it("reads its defaults, and refuses bad options naming the module and the field", () => {
    const defaults = readStatusOptions({});
    assert.equal(defaults.path, "/server-status");
    assert.equal(defaults.refresh, 0);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ allow: ["nonsense"] }, /module "status" is invalid: allow holds "nonsense"/],
      [{ allow: "127.0.0.1" }, /module "status" is invalid: allow must be an array of strings/],
      [{ refresh: 0.5 }, /module "status" is invalid: refresh must be a whole number from 0 to 3600/],
      [{ refresh: 3601 }, /refresh must be a whole number from 0 to 3600/],
      [{ path: "status" }, /module "status" is invalid: path must be a URL path starting with "\/"/],
      [{ token: "short" }, /module "status" is invalid: token must be at least 16 characters/],
      [{ refersh: 5 }, /module "status" is invalid: refersh is not an option of the status module/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => readStatusOptions(options),
        { code: "DROVER_ERR_MODULE_INVALID", message },
        message.source,
      );
    }
  });

  it("knows drover's version", () => {
    assert.match(readDroverVersion() ?? "", /^\d+\.\d+\.\d+/);
  });
});

// An app that answers "app <path>", and holds /slow requests for `?ms=` milliseconds (at most 30 s).
const APP = `export default (req: any, res: any) => {
  const url = new URL(req.url, "http://localhost");
  const ms = url.pathname === "/slow" ? Math.min(Number(url.searchParams.get("ms") ?? 30000), 30000) : 0;
  setTimeout(() => res.end("app " + url.pathname), ms);
};
`;

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A request on a fresh loopback connection. */
function send(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path, agent: false, timeout: 10_000, ...options },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** A /slow request left in flight until `release()` (which cuts its connection). */
function holdSlowRequest(port: number, path: string): { release(): void } {
  const req = httpRequest({ host: "127.0.0.1", port, path, agent: false });
  req.on("error", () => {}); // cut on purpose by release()
  req.end();
  return { release: () => req.destroy() };
}

async function statusJson(drover: RunningDrover, path = "/server-status?json") {
  const reply = await drover.request(path);
  assert.equal(reply.status, 200, reply.body);
  return JSON.parse(reply.body) as ReturnType<typeof statusPageReport>;
}

function parseAuto(text: string): Map<string, string> {
  assert.ok(text.endsWith("\n"));
  const lines = text.trimEnd().split("\n");
  for (const line of lines) assert.match(line, /^[A-Za-z ]+: \S.*$/);
  return new Map(
    lines.map((line) => [line.slice(0, line.indexOf(": ")), line.slice(line.indexOf(": ") + 2)]),
  );
}

describe("the status page of a running master", () => {
  it("serves the grid, a row per child, ?json and ?auto, to loopback by default", {
    timeout: 60_000,
  }, async () => {
    const drover = await startDrover({
      app: APP,
      config: { startServers: 2, workersPerChild: 2, minSpareWorkers: 1, modules: [{ use: "status" }] },
    });
    const held: { release(): void }[] = [];
    try {
      const status = await drover.status();
      const pids = status.children.map((c) => c.pid).sort();
      assert.equal(pids.length, 2);

      // A request in flight, with markup and a token in its query, shows as busy with its line escaped.
      held.push(holdSlowRequest(drover.port, `/slow?q=<b>bold</b>&token=${TOKEN}`));
      const busy = await waitFor("the slow request on the page", async () => {
        const report = await statusJson(drover);
        const running = report.children
          .flatMap((c) => c.workers)
          .find((w) => w.request.startsWith("GET /slow"));
        return running?.inProgress && running;
      });
      assert.equal(busy.letter, "W");
      assert.equal(busy.request, "GET /slow?q=<b>bold</b>&token=***");

      const html = await drover.request("/server-status");
      assert.equal(html.status, 200);
      assert.equal(html.headers["content-type"], "text/html; charset=utf-8");
      assert.equal(html.headers["cache-control"], "no-store");
      assert.match(html.body, /<div id="scoreboard" class="scoreboard">/);
      assert.match(html.body, /<ul id="key" class="key">/);
      for (const child of status.children) {
        const row = new RegExp(
          `<tr data-slot="${child.slot}" data-pid="${child.pid}"><td class="num">${child.slot}</td>`,
        );
        assert.match(html.body, row);
        assert.match(
          html.body,
          new RegExp(
            `data-pid="${child.pid}"><span class="slot">${child.slot}</span><span class="letters">([^<]|<b>[A-Z]</b>){2}</span>`,
          ),
        );
      }
      assert.match(
        html.body,
        /<code>GET \/slow\?q=&#60;b&#62;bold&#60;\/b&#62;&#38;token=\*\*\* \(\d+\.\d s\)<\/code>/,
      );
      assert.doesNotMatch(html.body, /<b>bold/);
      assert.equal(html.body.includes(TOKEN), false);
      assert.doesNotMatch(html.body, /http-equiv="refresh"/);

      const report = await statusJson(drover);
      assert.equal(report.masterPid, status.masterPid);
      assert.equal(report.generation, 0);
      assert.equal(report.version, readDroverVersion());
      assert.deepEqual(report.children.map((c) => c.pid).sort(), pids);
      for (const child of report.children) {
        assert.equal(child.workers.length, 2);
        assert.equal(child.grid, child.workers.map((w) => w.letter).join(""));
        assert.equal(child.oldGeneration, false);
      }
      assert.equal(report.scoreboard, report.children.map((c) => c.grid).join(""));
      // This request and the slow one are in flight.
      assert.ok(report.totals.busyWorkers >= 2, JSON.stringify(report.totals));
      assert.equal(report.totals.children, 2);
      // The earlier status requests are counted; a child counts a request as its response finishes,
      // which can be a moment after the client has read it and asked the other child.
      await waitFor(
        "the earlier status requests counted",
        async () => (await statusJson(drover)).totals.requests >= 2,
      );
      assert.ok(report.totals.bytes > 0);
      const { uptimeSeconds, sinceRestartSeconds } = report;
      assert.ok(uptimeSeconds !== null && sinceRestartSeconds !== null, "the header is sound");
      assert.ok(uptimeSeconds >= 0 && sinceRestartSeconds <= uptimeSeconds);
      assert.deepEqual(report.damaged, []);
      assert.ok(Math.abs(Date.parse(report.currentTime) - Date.now()) < 10_000);

      const auto = await drover.request("/server-status?auto");
      assert.equal(auto.status, 200);
      assert.equal(auto.headers["content-type"], "text/plain; charset=utf-8");
      const fields = parseAuto(auto.body);
      assert.match(fields.get("Total Accesses") ?? "", /^\d+$/);
      assert.match(fields.get("Total kBytes") ?? "", /^\d+$/);
      assert.match(fields.get("Uptime") ?? "", /^\d+$/);
      assert.ok(Number.isFinite(Number.parseFloat(fields.get("ReqPerSec") ?? "")));
      assert.ok(Number.isFinite(Number.parseFloat(fields.get("BytesPerSec") ?? "")));
      assert.ok(Number(fields.get("BusyWorkers")) >= 2);
      assert.equal(Number(fields.get("BusyWorkers")) + Number(fields.get("IdleWorkers")), 4);
      assert.equal(fields.get("Processes"), "2");
      assert.equal(fields.get("Generation"), "0");
      assert.equal(fields.get("MasterPid"), String(status.masterPid));
      assert.match(fields.get("Scoreboard") ?? "", /^[_SRWKLCGI.]{4}$/);

      // HEAD answers the headers alone; other methods get 405 with Allow.
      const head = await send(drover.port, "/server-status", { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.body, "");
      assert.ok(Number(head.headers["content-length"]) > 0);
      const post = await send(drover.port, "/server-status", { method: "POST" });
      assert.equal(post.status, 405);
      assert.equal(post.headers.allow, "GET, HEAD");

      // ?refresh=N adds the meta refresh; a bad value is refused.
      assert.match(
        (await drover.request("/server-status?refresh=7")).body,
        /<meta http-equiv="refresh" content="7">/,
      );
      assert.equal((await drover.request("/server-status?refresh=soon")).status, 400);
      assert.equal((await drover.request("/server-status?refresh=3601")).status, 400);

      // Other paths are the app's.
      assert.equal((await drover.request("/server-status/more")).body, "app /server-status/more");
      assert.equal((await drover.request("/server-statuses")).body, "app /server-statuses");
      assert.equal((await drover.request("/")).body, "app /");
    } finally {
      for (const request of held) request.release();
      await drover.stop();
    }
  });

  it("answers 403 outside the allow list unless given the token; takes path and refresh options", {
    timeout: 90_000,
  }, async () => {
    const modules = [{ use: "status", path: "/status", refresh: 10, allow: ["10.0.0.0/8"], token: TOKEN }];
    const config = { startServers: 1, workersPerChild: 2, modules };
    const drover = await startDrover({ app: APP, config });
    try {
      const denied = await drover.request("/status");
      assert.equal(denied.status, 403);
      assert.equal(denied.headers["cache-control"], "no-store");
      assert.equal((await drover.request("/status?json&token=wrong-token-0123456789")).status, 403);
      assert.equal(
        (await send(drover.port, "/status", { headers: { authorization: "Bearer nope" } })).status,
        403,
      );
      // The access check comes before the method check: no hint to a stranger.
      assert.equal((await send(drover.port, "/status", { method: "POST" })).status, 403);

      const byHeader = await send(drover.port, "/status", { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(byHeader.status, 200);
      assert.match(byHeader.body, /<meta http-equiv="refresh" content="10">/);
      // The scheme's name is case-insensitive.
      const lower = await send(drover.port, "/status?auto", {
        headers: { authorization: `bearer ${TOKEN}` },
      });
      assert.equal(lower.status, 200);
      assert.match((await drover.request("/status?refresh=0")).body, /403 Forbidden/);

      const byQuery = await drover.request(`/status?token=${TOKEN}&refresh=0`);
      assert.equal(byQuery.status, 200);
      assert.doesNotMatch(byQuery.body, /http-equiv="refresh"/);
      // Its own request line shows on the page, token hidden; the links carry it for the next page.
      assert.match(byQuery.body, /GET \/status\?token=\*\*\*&#38;refresh=0/);
      assert.match(byQuery.body, new RegExp(`<a href="\\?json&#38;token=${TOKEN}">json</a>`));
      assert.equal(byQuery.body.split(TOKEN).length - 1, 3, "the token is in the three links only");
      assert.equal((await drover.request(`/status?auto&token=${TOKEN}`)).status, 200);
      assert.equal((await drover.request("/server-status")).body, "app /server-status");

      // A reload with a bad status option fails naming the module and the field; generation 0 serves on.
      const before = await drover.status();
      drover.writeConfig({ ...config, modules: [{ ...modules[0], allow: ["nonsense"] }] });
      const reload = await drover.cli("reload");
      assert.notEqual(reload.status, 0);
      assert.match(reload.stderr, /module "status" is invalid: allow holds "nonsense"/);
      const after = await drover.status();
      assert.equal(after.generation, 0);
      assert.deepEqual(
        after.children.map((c) => c.pid),
        before.children.map((c) => c.pid),
      );
      const still = await drover.request(`/status?auto&token=${TOKEN}`);
      assert.equal(still.status, 200);
      assert.equal(parseAuto(still.body).get("Generation"), "0");
    } finally {
      await drover.stop();
    }
  });

  it("marks the children of an older generation while they finish their requests", {
    timeout: 90_000,
  }, async () => {
    const config = { startServers: 1, workersPerChild: 2, minSpareWorkers: 1, modules: [{ use: "status" }] };
    const drover = await startDrover({ app: APP, config });
    let held: { release(): void } | undefined;
    try {
      const [first] = (await drover.status()).children;
      assert.ok(first);
      held = holdSlowRequest(drover.port, "/slow?ms=30000");
      await waitFor("the slow request in flight", async () =>
        (await statusJson(drover)).children.some((c) =>
          c.workers.some((w) => w.inProgress && w.request.startsWith("GET /slow")),
        ),
      );
      const reload = await drover.cli("reload");
      assert.equal(reload.status, 0, reload.stderr);

      const report = await waitFor("the old child beside the new generation", async () => {
        const json = await statusJson(drover);
        return json.generation === 1 && json.children.some((c) => c.generation === 1) && json;
      });
      const old = report.children.find((c) => c.pid === first.pid);
      assert.ok(old, "the old child still finishes its request");
      assert.equal(old.generation, 0);
      assert.equal(old.oldGeneration, true);
      assert.equal(old.quiescing, true);
      assert.equal(report.restarts.graceful, 1);
      const slow = old.workers.find((w) => w.request.startsWith("GET /slow"));
      assert.ok(slow?.inProgress, JSON.stringify(old.workers));

      const html = (await drover.request("/server-status")).body;
      assert.match(
        html,
        new RegExp(
          `<tr class="old" data-slot="${old.slot}" data-pid="${old.pid}">.*<td>0 <span class="marker"[^>]*>old</span></td>`,
        ),
      );
      assert.match(html, /<dt>Restarts<\/dt><dd>1 graceful, 0 hard, 0 failed<\/dd>/);
      const auto = parseAuto((await drover.request("/server-status?auto")).body);
      assert.equal(auto.get("Generation"), "1");
      assert.ok(Number(auto.get("Stopping")) >= 1);

      // Once its request is cut, the old child leaves the page.
      held.release();
      await waitFor(
        "the old child gone",
        async () => (await statusJson(drover)).children.every((c) => c.pid !== first.pid),
        20_000,
      );
    } finally {
      held?.release();
      await drover.stop();
    }
  });

  it("stops `drover start` when an option is bad, naming the module and the field", {
    timeout: 60_000,
  }, async () => {
    const drover = await startDrover({
      app: APP,
      config: { modules: [{ use: "status", allow: ["nonsense"] }] },
      waitReady: false,
    });
    try {
      const exit = await drover.proc.waitForExit(30_000);
      assert.notEqual(exit.code, 0);
      assert.match(drover.proc.output(), /module "status" is invalid: allow holds "nonsense"/);
    } finally {
      await drover.stop();
    }
  });

  it("is refused by `drover configtest` when an option is bad", { timeout: 60_000 }, async () => {
    const dir = makeTempDir("drover-test-status-");
    try {
      writeFileSync(join(dir.path, "app.ts"), APP);
      const modules = [{ use: "status", refresh: -1 }];
      writeFileSync(join(dir.path, "drover.config.json"), JSON.stringify({ app: "./app.ts", modules }));
      const result = await runCli(["configtest"], dir.path);
      assert.notEqual(result.status, 0, result.stdout);
      assert.match(
        result.stderr,
        /module "status" is invalid: refresh must be a whole number from 0 to 3600/,
      );
    } finally {
      dir.remove();
    }
  });
});
