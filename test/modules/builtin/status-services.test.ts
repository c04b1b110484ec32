// The status page of a scoreboard holding a dispatch pool (real shared memory, filled through the
// writers): a section per service with its drones in every form, served by the module's handler.
import assert from "node:assert/strict";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { statusHandler } from "../../../src/modules/builtin/status/handler.ts";
import { readStatusOptions } from "../../../src/modules/builtin/status/options.ts";
import { type StatusPageReport, statusPageReport } from "../../../src/modules/builtin/status/page-report.ts";
import { renderAuto } from "../../../src/modules/builtin/status/render-auto.ts";
import { renderHtml } from "../../../src/modules/builtin/status/render-html.ts";
import type { Scoreboard } from "../../../src/scoreboard/index.ts";
import { busyDrone, readyChild, serviceFields, withServiceBoard } from "../../support/service-board.ts";

const NOW = Date.now();

/** A child; "math<x>" (record 0) with a drone running a call and an old drone; a drone of no service. */
function fill(board: Scoreboard): void {
  board.master.setGeneration(1, NOW);
  board.master.writeService(0, serviceFields(`math<x>`, { generation: 1, nats: "disconnected" }));
  readyChild(board, 0, 4100, NOW);
  busyDrone(board, 2, 0, 4200, `add<script>`, NOW - 1500, NOW);
  busyDrone(board, 3, 0, 4201, "sub", NOW - 200, NOW);
  board.master.reclaimSlot(3);
  board.master.prepareSlot(3, 0, 2, NOW, { service: 0 }); // of generation 0: old
  busyDrone(board, 4, 1, 4202, "lost", NOW, NOW);
}

function pageReport(): StatusPageReport {
  return withServiceBoard((board) => {
    fill(board);
    return statusPageReport(board.snapshot(NOW), "9.9.9", NOW);
  });
}

function parseAuto(text: string): Map<string, string> {
  return new Map(
    text
      .trimEnd()
      .split("\n")
      .map((line) => [line.slice(0, line.indexOf(": ")), line.slice(line.indexOf(": ") + 2)]),
  );
}

describe("the status page of a dispatch pool", () => {
  it("reports each service with its drones and their workers, children as before", () => {
    const report = pageReport();
    assert.deepEqual(
      [report.totals.children, report.scoreboard, report.children.map((c) => c.role)],
      [1, "__", ["child"]],
    );
    const [math] = report.services;
    assert.equal(math?.name, "math<x>");
    assert.deepEqual(
      math?.droneProcesses.map((d) => [d.slot, d.oldGeneration, d.grid, d.calls.map((c) => c.method)]),
      [
        [2, true, "W_", ["add<script>"]],
        [3, true, "SS", []],
      ],
    );
    // Drones are of generation 0 here, the master's is 1: both are old.
    const [running] = math?.droneProcesses ?? [];
    assert.deepEqual(
      running?.workers.map((w) => [w.letter, w.request, w.inProgress, w.requestAgeMs]),
      [
        ["W", "add<script>", true, 1500],
        ["_", "other", false, null],
      ],
    );
    assert.deepEqual(
      report.otherDrones.map((d) => d.slot),
      [4],
    );
  });

  it("renders a section per service in HTML, its text escaped", () => {
    const html = renderHtml(pageReport(), { refresh: 0, carry: [] });
    assert.doesNotMatch(html, /<script|math<x>/i, "no markup from the scoreboard");
    assert.match(html, /<h2>Services<\/h2>/);
    assert.match(html, /<section class="service" data-service="math&#60;x&#62;" data-index="0">/);
    assert.match(html, /<dt>Backlog<\/dt><dd>3 waiting \(high-water 7\)<\/dd>/);
    assert.match(html, /<dt>Calls<\/dt><dd>40 received, 30 completed, 9 failed<\/dd>/);
    assert.match(html, /<dt>Queue wait<\/dt><dd>p50 0\.5 ms, p99 24 ms<\/dd>/);
    assert.match(html, /<dt>Run time<\/dt><dd>p50 1\.75 ms, p99 &#62; 10 s<\/dd>/);
    assert.match(html, /<dt>NATS<\/dt><dd>connection lost, reconnecting<\/dd>/);
    assert.match(
      html,
      /data-slot="2" data-pid="4200"><span class="slot">2<\/span><span class="letters"><b>W<\/b>_<\/span>/,
    );
    assert.match(
      html,
      /<tr class="old" data-slot="2" data-pid="4200">.*<code>add&#60;script&#62; \(1\.5 s\)<\/code>.*<td class="num">30\.0 MB<\/td><\/tr>/,
    );
    assert.match(html, /<section id="other-drones" class="service">[\s\S]*data-slot="4" data-pid="4202"/);
    // The children's part holds no drone.
    const children = html.slice(html.indexOf('<table id="children">'), html.indexOf("<h2>Services</h2>"));
    assert.match(children, /data-pid="4100"/);
    assert.doesNotMatch(children, /4200|4201|4202/);
  });

  it("gives ?auto a line per service field", () => {
    const auto = parseAuto(renderAuto(pageReport()));
    assert.equal(auto.get("Processes"), "1");
    assert.equal(auto.get("Scoreboard"), "__");
    assert.equal(auto.get("Services"), "1");
    assert.equal(auto.get("Service[math<x>] Calls"), "40");
    assert.equal(auto.get("Service[math<x>] Backlog"), "3");
    assert.equal(auto.get("Service[math<x>] Nats"), "disconnected");
    assert.equal(auto.get("Service[math<x>] DroneExits"), "1");
    assert.equal(auto.get("Service[math<x>] QueueWaitP99Ms"), "24.4");
    assert.equal(auto.get("Service[math<x>] RunTimeP99Ms"), "10000");
    assert.equal(auto.get("Service[math<x>] Scoreboard"), "W_SS");
  });

  it("has no dispatch pool part where there is none", () => {
    withServiceBoard((board) => {
      readyChild(board, 0, 4100, NOW);
      const report = statusPageReport(board.snapshot(NOW), null, NOW);
      assert.doesNotMatch(renderHtml(report, { refresh: 0, carry: [] }), /Services|drone/i);
      assert.doesNotMatch(renderAuto(report), /Service/);
    });
  });

  it("serves the services in ?json from the live scoreboard", async () => {
    await withServiceBoard(async (board) => {
      fill(board);
      const handler = statusHandler(readStatusOptions({}), board, "9.9.9");
      const server = createServer((request, response) => {
        if (!handler(request, response)) response.end("app");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const body = await new Promise<string>((resolve, reject) => {
          const req = httpRequest({ host: "127.0.0.1", port, path: "/server-status?json", agent: false });
          req.on("response", (response) => {
            let text = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => (text += chunk));
            response.on("end", () => resolve(text));
          });
          req.on("error", reject);
          req.end();
        });
        const report = JSON.parse(body) as StatusPageReport;
        assert.deepEqual(
          report.services.map((s) => [s.name, s.droneProcesses.map((d) => [d.slot, d.role, d.service])]),
          [
            [
              "math<x>",
              [
                [2, "drone", "math<x>"],
                [3, "drone", "math<x>"],
              ],
            ],
          ],
        );
        assert.equal(report.otherDrones[0]?.service, null);
        assert.equal(report.children[0]?.service, null);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});
