// The metrics module against a real master: what a scrape shows must agree with the scoreboard (as
// `drover status` reads it), cover every child whichever one answers, and follow reloads and restarts.
import assert from "node:assert/strict";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { describe, it } from "node:test";
import { waitFor } from "../../harness/wait.ts";
import { type RunningDrover, runCli, startDrover } from "../../support/drover.ts";

const APP = `export default (_req: any, res: any) => res.end("app " + process.pid);`;
const TOKEN = "s3cret-scrape-token-0123456789";

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A Prometheus text exposition, parsed: its samples and each metric's `# TYPE`. */
class Exposition {
  readonly samples: Sample[] = [];
  readonly types = new Map<string, string>();

  constructor(text: string) {
    for (const line of text.split("\n")) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) this.types.set(type[1] as string, type[2] as string);
      if (line === "" || line.startsWith("#")) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[key as string] = value as string;
      }
      this.samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
    }
  }

  /** The samples of `name` whose labels include `labels`. */
  all(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
    );
  }

  /** The value of the one sample of `name` with `labels`. */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.all(name, labels);
    assert.equal(found.length, 1, `one sample of ${name} ${JSON.stringify(labels)}, found ${found.length}`);
    return (found[0] as Sample).value;
  }

  sum(name: string): number {
    return this.all(name).reduce((total, s) => total + s.value, 0);
  }
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

/** One request on a fresh connection. */
function send(
  drover: RunningDrover,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: drover.port, path, agent: false, timeout: 10_000, ...options },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

async function scrape(drover: RunningDrover, path = "/metrics"): Promise<Exposition> {
  const reply = await send(drover, path);
  assert.equal(reply.status, 200, reply.body);
  return new Exposition(reply.body);
}

describe("metrics module", () => {
  it("reports the whole pool from the scoreboard, whichever child answers", { timeout: 60_000 }, async () => {
    const drover = await startDrover({
      app: APP,
      config: { startServers: 2, workersPerChild: 4, modules: [{ use: "metrics", defaultMetrics: true }] },
    });
    try {
      const status = await waitFor("two ready children", async () => {
        const s = await drover.status();
        return s.children.length === 2 && s.children.every((c) => c.state === "ready") ? s : undefined;
      });
      const pids = status.children.map((c) => String(c.pid)).sort();

      const n = 12;
      for (let i = 0; i < n; i++) assert.equal((await drover.request("/")).status, 200);
      // Every request is accounted as its response finishes; wait for the last before scraping.
      await waitFor("the requests on the scoreboard", async () =>
        (await drover.status()).totals.requests === n ? true : undefined,
      );

      const reply = await send(drover, "/metrics");
      const after = await drover.status();
      assert.equal(reply.status, 200);
      assert.equal(reply.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
      assert.equal(reply.headers["cache-control"], "no-store");
      const m = new Exposition(reply.body);

      // Types: counters are counters.
      for (const name of [
        "drover_requests_total",
        "drover_bytes_total",
        "drover_connections_total",
        "drover_restarts_total",
        "drover_children_started_total",
        "drover_children_failed_total",
        "drover_child_requests_total",
        "drover_child_slow_lane_requests_total",
      ]) {
        assert.equal(m.types.get(name), "counter", name);
      }
      for (const name of [
        "drover_children",
        "drover_workers",
        "drover_generation",
        "drover_spawn_rate",
        "drover_slow_lane_waiting",
      ]) {
        assert.equal(m.types.get(name), "gauge", name);
      }

      // Pool state agrees with the scoreboard.
      assert.equal(m.sum("drover_children"), after.children.length);
      assert.equal(m.value("drover_children", { state: "ready" }), 2);
      assert.equal(m.value("drover_quiescing_children"), 0);
      assert.equal(m.sum("drover_workers"), 2 * 4);
      // The scrape itself is in flight while the snapshot is taken: its worker is sending the reply.
      assert.ok(m.value("drover_workers", { state: "reply" }) >= 1);

      // Exactly the requests the scoreboard had; the scrape is counted once it has finished.
      assert.equal(m.value("drover_requests_total"), n);
      assert.equal(after.totals.requests, n + 1);
      assert.equal(m.sum("drover_child_requests_total"), n, "no child has exited: the children hold all");
      assert.ok(m.value("drover_bytes_total") > n * 20, "each response's bytes are counted");
      assert.ok(m.value("drover_connections_total") >= n + 1, "the scrape's connection is counted too");

      assert.equal(m.value("drover_generation"), after.generation);
      assert.equal(m.value("drover_restarts_total", { kind: "graceful" }), 0);
      assert.equal(m.value("drover_restarts_total", { kind: "hard" }), 0);
      assert.equal(m.value("drover_children_started_total"), 2);
      assert.equal(m.value("drover_children_failed_total"), 0);
      assert.ok(m.value("drover_spawn_rate") >= 1);
      const started = m.value("drover_start_time_seconds");
      assert.ok(started <= Date.now() / 1000 && started > Date.now() / 1000 - 120, `start time ${started}`);
      assert.ok(m.value("drover_restart_time_seconds") >= started);

      // Memory is known after each child's first heartbeat (once a second). One scrape, answered by
      // one child, has a line for every child: it reads the scoreboard, not the child it runs in.
      let scrapes = 1;
      const memory = await waitFor("memory of every child", async () => {
        scrapes++;
        const s = await scrape(drover);
        const rss = s.all("drover_child_resident_memory_bytes").map((x) => x.labels.pid);
        return rss.sort().join() === pids.join() ? s : undefined;
      });
      for (const child of after.children) {
        const labels = {
          pid: String(child.pid),
          slot: String(child.slot),
          generation: String(child.generation),
        };
        const rss = memory.value("drover_child_resident_memory_bytes", labels);
        assert.ok(rss > 1024 * 1024, `child ${child.pid} has ${rss} bytes resident`);
        assert.ok(memory.value("drover_child_heap_used_bytes", labels) > 0);
      }
      // Each child's request count is exactly the scoreboard's, once every scrape so far is counted
      // (a scrape counts once it has finished, so the one answering this has not yet).
      const quiet = await waitFor("every scrape counted", async () => {
        const s = await drover.status();
        return s.totals.requests === n + scrapes ? s : undefined;
      });
      const counted = await scrape(drover);
      for (const child of quiet.children) {
        const labels = { pid: String(child.pid), slot: String(child.slot), generation: "0" };
        assert.equal(
          counted.value("drover_child_requests_total", labels),
          child.requests,
          `child ${child.pid}`,
        );
      }
      assert.equal(counted.sum("drover_child_requests_total"), n + scrapes);
      // The default metrics describe only the child that answered, and say which one it is.
      const serving = memory.all("drover_serving_child_process_resident_memory_bytes");
      assert.equal(serving.length, 1);
      const servedBy = serving[0]?.labels.pid as string;
      assert.ok(pids.includes(servedBy), `served by child ${servedBy}`);
      assert.ok(memory.all("drover_child_resident_memory_bytes").some((s) => s.labels.pid !== servedBy));

      // Only GET and HEAD, only on the exact path.
      const head = await send(drover, "/metrics", { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.body, "");
      assert.equal(head.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
      const post = await send(drover, "/metrics", { method: "POST" });
      assert.equal(post.status, 405);
      assert.equal(post.headers.allow, "GET, HEAD");
      assert.equal((await send(drover, "/metrics?debug=1")).status, 200);
      for (const path of ["/metrics/", "/metricsx", "/metrics/x"]) {
        assert.match((await send(drover, path)).body, /^app \d+$/, `${path} is the app's`);
      }
    } finally {
      await drover.stop();
    }
  });

  it("follows graceful and hard restarts, and keeps counting exited children", {
    timeout: 90_000,
  }, async () => {
    const drover = await startDrover({
      app: APP,
      config: { startServers: 1, workersPerChild: 2, modules: [{ use: "metrics" }] },
    });
    try {
      const first = await scrape(drover);
      assert.equal(first.value("drover_generation"), 0);
      assert.equal(first.value("drover_restarts_total", { kind: "graceful" }), 0);
      const startedBefore = first.value("drover_children_started_total");
      const n = 5;
      for (let i = 0; i < n; i++) assert.equal((await drover.request("/")).status, 200);

      const reload = await drover.cli("reload");
      assert.equal(reload.status, 0, reload.stderr);
      // Once the old generation has gone, only children of generation 1 are listed.
      const reloaded = await waitFor("generation 1 alone", async () => {
        const m = await scrape(drover);
        const gens = m.all("drover_child_requests_total").map((s) => s.labels.generation);
        return m.value("drover_quiescing_children") === 0 && gens.length > 0 && gens.every((g) => g === "1")
          ? m
          : undefined;
      });
      assert.equal(reloaded.value("drover_generation"), 1);
      assert.equal(reloaded.value("drover_restarts_total", { kind: "graceful" }), 1);
      assert.equal(reloaded.value("drover_restarts_total", { kind: "hard" }), 0);
      assert.ok(reloaded.value("drover_children_started_total") > startedBefore);
      assert.equal(reloaded.value("drover_children_failed_total"), 0);
      // The first scrape and the n requests were served by a child that has exited: still counted.
      const total = reloaded.value("drover_requests_total");
      assert.ok(total >= n + 1, `requests_total ${total}`);
      assert.ok(reloaded.sum("drover_child_requests_total") < total);
      assert.ok(
        reloaded.value("drover_restart_time_seconds") > first.value("drover_restart_time_seconds"),
        "the generation's start time moves",
      );

      const restart = await drover.cli("restart");
      assert.equal(restart.status, 0, restart.stderr);
      const restarted = await waitFor("generation 2", async () => {
        const m = await scrape(drover);
        return m.value("drover_generation") === 2 ? m : undefined;
      });
      assert.equal(restarted.value("drover_restarts_total", { kind: "hard" }), 1);
      assert.equal(restarted.value("drover_restarts_total", { kind: "graceful" }), 1);
      assert.ok(restarted.value("drover_requests_total") >= total);
    } finally {
      await drover.stop();
    }
  });

  it("serves only allowed clients, at its own path and prefix", { timeout: 60_000 }, async () => {
    const drover = await startDrover({
      app: APP,
      config: {
        startServers: 1,
        workersPerChild: 2,
        modules: [
          { use: "metrics", path: "/internal/metrics", prefix: "pool_", allow: ["10.0.0.0/8"], token: TOKEN },
        ],
      },
    });
    try {
      // Loopback is not in the allow list: a client needs the token.
      assert.equal((await send(drover, "/internal/metrics")).status, 403);
      assert.equal((await send(drover, "/internal/metrics?token=not-the-right-token-at-all")).status, 403);
      assert.equal((await send(drover, "/internal/metrics", { method: "POST" })).status, 403);
      const byQuery = await scrape(drover, `/internal/metrics?token=${TOKEN}`);
      const byHeader = await send(drover, "/internal/metrics", {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(byHeader.status, 200);
      for (const m of [byQuery, new Exposition(byHeader.body)]) {
        assert.equal(m.value("pool_children", { state: "ready" }), 1);
        assert.ok(m.samples.every((s) => s.name.startsWith("pool_")));
      }
      // The default path is the app's now.
      assert.match((await send(drover, "/metrics")).body, /^app \d+$/);

      // A reload with a bad option is refused; the running generation goes on serving its metrics.
      drover.writeConfig({
        startServers: 1,
        workersPerChild: 2,
        modules: [{ use: "metrics", prefix: "9bad" }],
      });
      const reload = await drover.cli("reload");
      assert.notEqual(reload.status, 0);
      assert.match(reload.stderr, /module "metrics" is invalid: prefix/);
      const still = await scrape(drover, `/internal/metrics?token=${TOKEN}`);
      assert.equal(still.value("pool_generation"), 0);
    } finally {
      await drover.stop();
    }
  });

  it("refuses bad options at start and in configtest, naming the module and the field", {
    timeout: 60_000,
  }, async () => {
    const cases: [options: Record<string, unknown>, message: RegExp][] = [
      [{ prefix: "9bad" }, /module "metrics" is invalid: prefix must be letters/],
      [{ colour: "blue" }, /module "metrics" is invalid: colour is not an option of the metrics module/],
      [{ defaultMetrics: "yes" }, /module "metrics" is invalid: defaultMetrics must be true or false/],
      [{ path: "metrics" }, /module "metrics" is invalid: path must be a URL path/],
    ];
    await Promise.all(
      cases.map(async ([options, message]) => {
        const drover = await startDrover({
          app: APP,
          config: { startServers: 1, modules: [{ use: "metrics", ...options }] },
          waitReady: false,
        });
        try {
          const exit = await drover.proc.waitForExit(30_000);
          assert.notEqual(exit.code, 0);
          assert.match(drover.proc.output(), message);
          assert.doesNotMatch(drover.proc.output(), /is served on/);
          // configtest finds the same problem without starting anything.
          const test = await runCli(["configtest"], drover.dir.path);
          assert.notEqual(test.status, 0);
          assert.match(test.stderr, message);
        } finally {
          await drover.stop();
        }
      }),
    );
  });
});
