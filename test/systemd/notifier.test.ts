// The master's notifications, sent to a datagram socket this test listens on: what each event sends,
// reloads that overlap told as one, nothing but STATUS= after STOPPING=1, watchdog pings only while
// the master is live, and a socket that cannot be reached logged once without failing anything.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { pino } from "pino";
import { SystemdNotifier } from "../../src/systemd/notifier.ts";
import { abstractNotifyName, type NotifyReceiver, startNotifyReceiver } from "../support/notify-receiver.ts";

function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level: "info" }, stream), lines };
}

function notifier(receiver: NotifyReceiver | string, state: { summary: string; alive: boolean }) {
  const { log, lines } = capturedLog();
  const socket = typeof receiver === "string" ? receiver : receiver.address;
  const systemd = new SystemdNotifier({ socket, watchdogEveryMs: undefined, notes: [] }, log);
  systemd.start({ summary: () => state.summary, alive: () => state.alive });
  return { systemd, lines };
}

const texts = (receiver: NotifyReceiver) => receiver.messages().map((message) => message.text);

describe("SystemdNotifier", { timeout: 60_000 }, () => {
  it("tells ready, overlapping reloads as one, and the stop, each with STATUS=", async (t) => {
    const receiver = await startNotifyReceiver(abstractNotifyName(), (fn) => t.after(fn));
    const state = { summary: "generation 0 serving: 2 children ready", alive: true };
    const { systemd } = notifier(receiver, state);
    t.after(() => systemd.close());
    systemd.ready();
    systemd.reloading();
    systemd.reloading();
    systemd.reloaded();
    state.summary = "generation 1 serving: 2 children ready";
    systemd.reloaded();
    systemd.stopping();
    systemd.reloading();
    systemd.reloaded();
    state.summary = "stopping: 1 process left";
    systemd.refreshStatus();
    await receiver.next("the last status", (m) => m.fields.STATUS === state.summary);
    const messages = receiver.messages();
    assert.deepEqual(
      messages.map((m) =>
        Object.keys(m.fields).filter((key) => key !== "STATUS" && key !== "MONOTONIC_USEC"),
      ),
      [["READY"], ["RELOADING"], ["RELOADING"], ["READY"], ["STOPPING"], []],
      texts(receiver).join("\n---\n"),
    );
    assert.equal(messages[0]?.fields.STATUS, "generation 0 serving: 2 children ready");
    assert.equal(messages[1]?.fields.STATUS, "generation 0 serving: 2 children ready; reloading");
    assert.equal(messages[3]?.fields.STATUS, "generation 1 serving: 2 children ready");
    for (const reload of [messages[1], messages[2]]) {
      const usec = Number(reload?.fields.MONOTONIC_USEC);
      const at = reload?.at ?? 0;
      assert.ok(
        usec <= at && at - usec < 10_000_000,
        `MONOTONIC_USEC ${usec} is CLOCK_MONOTONIC (received ${at})`,
      );
    }
  });

  it("pings the watchdog only while the master is live", async (t) => {
    const receiver = await startNotifyReceiver(abstractNotifyName(), (fn) => t.after(fn));
    const state = { summary: "one", alive: false };
    const { systemd } = notifier(receiver, state);
    t.after(() => systemd.close());
    systemd.beat();
    state.summary = "two";
    systemd.refreshStatus();
    state.alive = true;
    systemd.beat();
    await receiver.next("a ping", (m) => m.text === "WATCHDOG=1");
    assert.deepEqual(texts(receiver), ["STATUS=two", "WATCHDOG=1"], "no ping while it was not live");
  });

  it("logs a socket it cannot reach once per reason, and goes on", () => {
    const { systemd, lines } = notifier(abstractNotifyName(), { summary: "s", alive: true });
    try {
      systemd.ready();
      systemd.beat();
      systemd.stopping();
    } finally {
      systemd.close();
    }
    assert.equal(lines.length, 1, lines.join(""));
    assert.match(lines[0] ?? "", /could not notify systemd on @drover-test-notify-.* \(ECONNREFUSED\)/);
  });
});
