// A real master as systemd and Kubernetes see it, one master for the whole story: started with
// NOTIFY_SOCKET (a datagram socket this test listens on) and WATCHDOG_USEC, and with a health listener.
// READY=1 once its first generation serves; WATCHDOG=1 every half period; RELOADING=1 and READY=1
// around a reload, while /livez and /readyz answer 200; at a graceful stop STOPPING=1, and /readyz
// 503 at once while the app's request in flight still completes. Every message comes from the master.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { freePort } from "../harness/ports.ts";
import { waitFor } from "../harness/wait.ts";
import { httpGet, type RunningDrover, startDrover } from "../support/drover.ts";
import { abstractNotifyName, type NotifyReceiver, startNotifyReceiver } from "../support/notify-receiver.ts";

// Each child takes a moment to load, so that a reload is a window the probes can see into.
const APP = `
await new Promise((resolve) => setTimeout(resolve, 300));
export default (req: any, res: any) => {
  if (req.url === "/slow") return void setTimeout(() => res.end("slow done"), 2000);
  if (req.url === "/env") {
    return void res.end(JSON.stringify([process.env.NOTIFY_SOCKET ?? null, process.env.WATCHDOG_USEC ?? null]));
  }
  res.end("hello");
};
`;

const isSet = (key: string) => (message: { fields: Readonly<Record<string, string>> }) =>
  message.fields[key] === "1";

describe("a master under systemd, with health endpoints", { timeout: 120_000 }, () => {
  let drover: RunningDrover;
  let receiver: NotifyReceiver;
  let healthPort: number;
  const cleanups: Array<() => Promise<void>> = [];
  const health = async (path: "/livez" | "/readyz") => {
    const reply = await httpGet(healthPort, path);
    return { status: reply.status, ...(JSON.parse(reply.body) as { ok: boolean; state: string }) };
  };

  before(async () => {
    receiver = await startNotifyReceiver(abstractNotifyName(), (fn) => cleanups.push(fn));
    healthPort = await freePort();
    drover = await startDrover({
      app: APP,
      config: {
        startServers: 1,
        workersPerChild: 4,
        minSpareWorkers: 1,
        shutdownDelay: "1s",
        health: { listen: `127.0.0.1:${healthPort}` },
      },
      env: { NOTIFY_SOCKET: receiver.address, WATCHDOG_USEC: "400000" },
    });
  });

  after(async () => {
    try {
      await drover?.stop();
    } finally {
      for (const cleanup of cleanups) await cleanup();
    }
  });

  it("says READY=1 once the first generation serves; /livez, /readyz and drover status agree", async () => {
    const { message } = await receiver.next("READY=1", isSet("READY"));
    assert.equal(message.pid, drover.proc.pid, "the master itself notifies (NotifyAccess=main)");
    assert.match(message.fields.STATUS ?? "", /^generation 0 serving: 1 child ready, 0 children failed/);
    assert.deepEqual(
      JSON.parse((await drover.request("/env")).body),
      [null, null],
      "children never see them",
    );
    assert.deepEqual(await health("/livez"), {
      status: 200,
      ok: true,
      state: "serving",
      reason: "the master's loop and its watchdog run",
      generation: 0,
      readyChildren: 1,
    });
    assert.equal((await health("/readyz")).status, 200);
    const [json, text] = await Promise.all([drover.status(), drover.cli("status")]);
    const status = json as unknown as { health: { livez: { status: number }; readyz: { status: number } } };
    assert.deepEqual([status.health.livez.status, status.health.readyz.status], [200, 200]);
    assert.match(text.stdout, /livez: 200 serving: the master's loop and its watchdog run/);
    assert.match(text.stdout, /readyz: 200 serving: generation 0 serves/);
  });

  it("pings the watchdog every half of WATCHDOG_USEC", async () => {
    const { index } = await receiver.next("READY=1", isSet("READY"));
    await waitFor("three pings after READY=1", () => {
      return receiver.messages().filter((m, i) => i > index && m.text === "WATCHDOG=1").length >= 3;
    });
  });

  it("says RELOADING=1 (with MONOTONIC_USEC) and READY=1 around a reload, live and ready throughout", async () => {
    const from = receiver.messages().length;
    process.kill(drover.proc.pid, "SIGHUP");
    const reloading = await receiver.next("RELOADING=1", isSet("RELOADING"), from);
    const usec = Number(reloading.message.fields.MONOTONIC_USEC);
    assert.ok(usec <= reloading.message.at && reloading.message.at - usec < 10_000_000, "CLOCK_MONOTONIC");
    let reloaded = false;
    const ready = receiver
      .next("READY=1 after the reload", isSet("READY"), reloading.index)
      .finally(() => (reloaded = true));
    const probes: string[] = [];
    while (!reloaded) probes.push(`${(await health("/livez")).status} ${(await health("/readyz")).status}`);
    const { message } = await ready;
    assert.ok(probes.length > 0, "the probes ran while the reload did");
    assert.deepEqual([...new Set(probes)], ["200 200"]);
    assert.match(message.fields.STATUS ?? "", /^generation 1 serving/);
  });

  it("says STOPPING=1 at a graceful stop, /readyz 503 at once while a request in flight completes", async () => {
    let slowDone = false;
    const slow = drover.request("/slow").finally(() => (slowDone = true));
    slow.catch(() => {}); // awaited below; a failure before that must not go unhandled
    const from = receiver.messages().length;
    process.kill(drover.proc.pid, "SIGTERM");
    const readyz = await waitFor("/readyz to turn 503", async () => {
      const reply = await health("/readyz");
      return reply.status === 503 && reply;
    });
    assert.equal(slowDone, false, "readiness turned false before the drain ended");
    assert.equal(readyz.state, "stopping");
    assert.equal((await health("/livez")).status, 200, "a stopping master is still live");
    const stopping = await receiver.next("STOPPING=1", isSet("STOPPING"), from);
    assert.deepEqual(await slow.then((reply) => [reply.status, reply.body]), [200, "slow done"]);
    assert.deepEqual(await drover.proc.waitForExit(30_000), { code: 0, signal: null });
    const later = receiver.messages().slice(stopping.index);
    assert.equal(later.filter(isSet("READY")).length, 0, "no READY=1 after STOPPING=1");
    const senders = new Set(receiver.messages().map((m) => m.pid));
    assert.deepEqual([...senders], [drover.proc.pid], "every message came from the master");
  });
});
