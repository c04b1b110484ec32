// Two and three drover masters serving one service over one nats-server, as hosts would: they share
// the calls; a host whose backlog is full leaves the queue group until it has room, so that with every
// host full a caller hears no-responders at once; a reload and a graceful stop under a steady load
// fail no call; a host SIGKILLed fails only the calls it held, each with a timeout at its deadline.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client, Duration } from "../../../src/client/index.ts";
import { waitFor } from "../../harness/wait.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import type { RunningServices } from "../../support/services.ts";
import { natsClient, startNatsHost } from "./support.ts";

const TIGHT = { minDrones: 1, maxDrones: 1, maxBacklog: 1 };
const ROOMY = { minDrones: 2, maxDrones: 2, maxBacklog: 100 };

describe("many hosts, one service", { timeout: 150_000 }, () => {
  let nats: RunningNats;
  const hosts: RunningServices[] = [];
  let client: Client;
  const cleanups: (() => Promise<void>)[] = [];
  const startHost = async (math: Record<string, unknown>) => {
    const host = await startNatsHost(nats, math);
    hosts.push(host);
    return host;
  };

  before(async () => {
    nats = await startNats();
    await Promise.all([startHost(TIGHT), startHost(TIGHT)]);
    client = await natsClient(nats, (fn) => cleanups.push(fn));
  });
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
    for (const host of hosts) await host.stop();
    await nats?.stop();
  });

  it("shares the calls between the hosts", async () => {
    const [a, b] = hosts as [RunningServices, RunningServices];
    for (const host of hosts) {
      await waitFor(
        "status says it takes calls from NATS",
        async () => (await host.status()).services[0]?.nats === "taking",
      );
    }
    const pidsOf = async (host: RunningServices) =>
      new Set((await host.status()).services.flatMap((s) => s.droneProcesses.map((d) => d.pid)));
    const [pidsA, pidsB] = await Promise.all([pidsOf(a), pidsOf(b)]);
    const seen = { a: 0, b: 0 };
    for (let i = 0; i < 200 && (seen.a === 0 || seen.b === 0); i++) {
      const pid = (await client.service("math").call("pid", undefined)) as number;
      if (pidsA.has(pid)) seen.a++;
      else if (pidsB.has(pid)) seen.b++;
      else assert.fail(`pid ${pid} is a drone of neither host`);
    }
    assert.ok(seen.a > 0 && seen.b > 0, `both hosts served calls (${seen.a} and ${seen.b})`);
  });

  it("leaves the queue group while full: with every host full a call hears no-responders at once, and the hosts take calls again once they have room", async () => {
    const math = client.service("math");
    const count = (host: RunningServices, line: RegExp) => host.proc.output().match(line)?.length ?? 0;
    const leaves = (host: RunningServices) => count(host, /leaving the NATS queue group/g);
    // The burst meets hosts at rest: a drone whose last DONE the master has not read yet would make
    // the burst's first call wait, and the host leave and come back before the burst fills it.
    await waitFor("both hosts idle and in the queue group", async () => {
      for (const host of hosts) {
        const [service] = (await host.status()).services;
        if (service?.idleDrones !== 1 || service.backlog !== 0) return false;
        if (leaves(host) !== count(host, /room again, back in the NATS queue group/g)) return false;
      }
      return true;
    });
    const before = hosts.map(leaves);
    const outcomes: Promise<string>[] = [];
    // Each host runs one call and queues one; past four, no host should take any.
    for (let i = 0; i < 8; i++) {
      outcomes.push(
        math.call("sleep", { ms: 3_000 }, { timeout: "30s" }).then(
          () => "ran",
          (error: { code: string }) => error.code,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const quick = await Promise.race([
      Promise.all(outcomes.slice(4)),
      new Promise<"slow">((resolve) => setTimeout(() => resolve("slow"), 2_500)),
    ]);
    assert.notEqual(quick, "slow", "the calls past the hosts' room failed at once, before any sleep ended");
    for (const code of quick as string[]) {
      assert.ok(
        code === "DROVER_ERR_NO_RESPONDERS" || code === "DROVER_ERR_DISPATCH_BACKLOG_FULL",
        `a call past every host's room fails as full or no-responders, not ${code}`,
      );
    }
    assert.ok(
      (quick as string[]).includes("DROVER_ERR_NO_RESPONDERS"),
      "with every host out of the group, no-responders",
    );
    // Each host left once in the burst, and cannot have come back before a sleep ended: no flapping.
    // (Later, while a host runs its second sleep, one queued call fills its backlog of one again: a
    // leave of its own, rightly, which the calls below may cause.)
    const left = () => hosts.map((host, i) => leaves(host) - (before[i] ?? 0));
    await waitFor("each host to say it left the queue group", () => left().every((n) => n >= 1));
    const groupLines = () =>
      hosts
        .map((host) =>
          host.proc
            .output()
            .split("\n")
            .filter((line) => /NATS queue group/.test(line))
            .join("\n"),
        )
        .join("\n--\n");
    assert.deepEqual(
      left(),
      hosts.map(() => 1),
      `each host left the group once in the burst:\n${groupLines()}`,
    );
    const all = await Promise.all(outcomes);
    assert.equal(
      all.filter((outcome) => outcome === "ran").length,
      4,
      "each host ran the two calls it had room for",
    );
    await waitFor(
      "the hosts to take calls again",
      async () => (await math.call("add", { a: 1, b: 1 })) === 2,
    );
  });

  it("fails no call under a steady load through a reload of every host and a graceful stop of one", async () => {
    const [a, b] = hosts as [RunningServices, RunningServices];
    const reload = async (fields: Record<string, unknown>) => {
      for (const host of [a, b]) {
        host.writeConfig({ transport: { nats: { servers: nats.url } }, ...fields });
        const reloaded = await host.cli("reload");
        assert.equal(reloaded.status, 0, reloaded.stderr);
      }
    };
    // Room for the load first (the tight hosts would be full, and say so).
    await reload(ROOMY);
    const load = steadyLoad(client, 3);
    try {
      await load.atLeast(30);
      await reload({ ...ROOMY, maxRequestsPerDrone: 1000 });
      await load.atLeast(load.done + 30);
      const stopped = a.proc.stop();
      await load.atLeast(load.done + 30);
      await stopped;
      await load.atLeast(load.done + 30);
    } finally {
      await load.end();
    }
    assert.deepEqual(load.failures, [], "no call failed");
  });

  it("fails only the calls a SIGKILLed host held, each with a timeout at its deadline", async () => {
    const c = await startHost(ROOMY);
    const b = hosts[1] as RunningServices;
    const load = steadyLoad(client, 4, { ms: 200 }, "2s");
    try {
      await load.atLeast(20);
      process.kill(b.proc.pid, "SIGKILL");
      await b.proc.waitForExit(10_000);
      const at = load.done;
      await load.atLeast(at + 40);
    } finally {
      await load.end();
    }
    assert.ok(load.failures.length <= ROOMY.maxDrones + ROOMY.maxBacklog);
    for (const failure of load.failures) assert.equal(failure, "DROVER_ERR_DISPATCH_TIMEOUT");
    assert.ok(c.proc.child.exitCode === null, "the other host serves on");
  });
});

/** `callers` callers each calling sleep in a loop until end(); failures are their codes. */
function steadyLoad(client: Client, callers: number, params = { ms: 20 }, timeout: Duration = "10s") {
  let running = true;
  const state = { done: 0, failures: [] as string[] };
  const loops = Array.from({ length: callers }, async () => {
    while (running) {
      try {
        await client.service("math").call("sleep", params, { timeout });
      } catch (error) {
        state.failures.push((error as { code: string }).code);
      }
      state.done++;
    }
  });
  return {
    get done() {
      return state.done;
    },
    get failures() {
      return state.failures;
    },
    atLeast: (count: number) => waitFor(`${count} calls done`, () => state.done >= count, 60_000),
    end: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}
