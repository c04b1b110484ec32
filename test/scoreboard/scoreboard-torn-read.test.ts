// The seqlock across processes: while a writer in another process updates one record as fast as it
// can, no snapshot shows that record torn, and the same fields read without the lock are torn (so the
// race really ran). For a worker record, a process record, and the header.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Scoreboard, type ScoreboardSnapshot, WorkerState } from "../../src/scoreboard/index.ts";
import {
  Header,
  HeaderF64,
  ProcF64,
  SCOREBOARD_LAYOUT,
  WORKER_REQUEST_OFFSET,
  Work,
  WorkF64,
} from "../../src/scoreboard/layout.ts";
import { ScoreboardView } from "../../src/scoreboard/view.ts";
import { openShm } from "../../src/shm/index.ts";
import { assertCpus } from "../harness/preconditions.ts";
import { isAlive, spawnNode } from "../harness/process.ts";
import { ownFdPath, testShmName } from "../harness/temp.ts";

const fixture = join(import.meta.dirname, "fixtures", "torn-writer.ts");
const base = Date.now();
/** The fixture's times: within a million milliseconds of `base`. */
const time = (k: number) => base + (k % 1_000_000);

type Fields = Readonly<Record<string, number | string>>;

interface RecordKind {
  /** The record as a snapshot shows it; undefined until the writer's first update. */
  read(snapshot: ScoreboardSnapshot): { fields: Fields; consistent: boolean } | undefined;
  /** The same fields read one by one with no lock, as a broken reader would. */
  readRaw(view: ScoreboardView): Fields;
  /** Whether the fields could have come from one update of the fixture. */
  whole(fields: Fields): boolean;
  /** Changes with every update: shows the writer moving. */
  progress(fields: Fields): number;
}

const decoder = new TextDecoder();

const KINDS: Record<"worker" | "process" | "header", RecordKind> = {
  worker: {
    read: (s) => {
      const w = s.processes[0]?.workers[0];
      if (!w || w.requestStart === 0) return undefined;
      const { state, requests, bytes, request, requestStart, lastUsed } = w;
      return {
        fields: { state, requests, bytes, request, requestStart, lastUsed },
        consistent: w.consistent,
      };
    },
    readRaw: (view) => {
      const offset = view.workerOffset(0, 0);
      const i = offset / 4;
      const f = offset / 8;
      const length = view.i32[i + Work.requestLength] ?? 0;
      const text = offset + WORKER_REQUEST_OFFSET;
      return {
        state: view.i32[i + Work.state] ?? 0,
        requests: view.f64[f + WorkF64.requests] ?? 0,
        bytes: view.f64[f + WorkF64.bytes] ?? 0,
        request: decoder.decode(view.u8.slice(text, text + Math.max(0, Math.min(length, 80)))),
        requestStart: view.f64[f + WorkF64.requestStart] ?? 0,
        lastUsed: view.f64[f + WorkF64.lastUsed] ?? 0,
      };
    },
    whole: (w) => {
      const match = /^GET \/item\/(\d+)(x*)$/.exec(String(w.request));
      if (!match) return false;
      const k = Number(match[1]);
      if ((match[2] ?? "").length !== k % 40 || w.bytes !== w.requests || w.requestStart !== time(k))
        return false;
      if (w.state === WorkerState.Writing)
        return w.requests === k - 1 && w.lastUsed === (k > 1 ? time(k - 1) : 0);
      if (w.state === WorkerState.Ready) return w.requests === k && w.lastUsed === time(k);
      return false;
    },
    progress: (w) => Number(w.requests),
  },
  process: {
    read: (s) => {
      const p = s.processes[0];
      if (!p || p.heapUsed === 0) return undefined;
      return {
        fields: { heartbeat: p.heartbeat, rss: p.rss, heapUsed: p.heapUsed },
        consistent: p.consistent,
      };
    },
    readRaw: (view) => {
      const f = view.processBase(0) / 2;
      return {
        heartbeat: view.f64[f + ProcF64.heartbeat] ?? 0,
        rss: view.f64[f + ProcF64.rss] ?? 0,
        heapUsed: view.f64[f + ProcF64.heapUsed] ?? 0,
      };
    },
    whole: (p) => p.rss === Number(p.heapUsed) * 4096 && p.heartbeat === time(Number(p.heapUsed)),
    progress: (p) => Number(p.heapUsed),
  },
  header: {
    read: (s) =>
      s.generation === 0
        ? undefined
        : { fields: { generation: s.generation, restartTime: s.restartTime }, consistent: s.consistent },
    readRaw: (view) => ({
      generation: view.i32[Header.generation] ?? 0,
      restartTime: view.f64[HeaderF64.restartTime] ?? 0,
    }),
    whole: (h) => h.restartTime === time(Number(h.generation)),
    progress: (h) => Number(h.generation),
  },
};

describe("scoreboard reads racing a writer in another process", () => {
  for (const [name, kind] of Object.entries(KINDS)) {
    it(`never shows a torn ${name} record, though unlocked reads of it tear`, {
      timeout: 30_000,
    }, async (t) => {
      // With one CPU the writer and the reader take turns and never overlap: there is no race to show.
      assertCpus(2, "for the writer and the reader to overlap");
      const scoreboard = Scoreboard.create({
        name: testShmName(`torn-${name}`),
        serverLimit: 1,
        workerLimit: 1,
      });
      scoreboard.master.prepareSlot(0, 0, 1, base);
      const writer = await spawnNode(fixture, [ownFdPath(scoreboard.fd), "0", name, String(base)], {
        ready: /writing/,
      });
      // Mappings of their own, as another process's would be: one to read through the lock, one not.
      const other = Scoreboard.open(ownFdPath(scoreboard.fd));
      const rawSegment = openShm(ownFdPath(scoreboard.fd), SCOREBOARD_LAYOUT);
      const raw = new ScoreboardView(rawSegment.buffer);
      try {
        let reads = 0;
        let inconsistent = 0;
        let rawTorn = 0;
        let moving = 0;
        let last = -1;
        // Until the writer made enough distinct updates and an unlocked read tore (on a loaded machine
        // the writer gets little CPU), with a deadline so that a missing race fails rather than hangs.
        const deadline = Date.now() + 15_000;
        while ((moving < 2_000 || rawTorn === 0) && Date.now() < deadline) {
          for (let i = 0; i < 200; i++) {
            const read = kind.read(other.snapshot());
            if (!read) continue;
            if (!read.consistent) {
              inconsistent++;
              continue;
            }
            assert.ok(kind.whole(read.fields), `torn ${name} record: ${JSON.stringify(read.fields)}`);
            reads++;
            const progress = kind.progress(read.fields);
            if (progress !== last) moving++;
            last = progress;
            if (!kind.whole(kind.readRaw(raw))) rawTorn++;
          }
        }
        t.diagnostic(
          `${reads} whole reads over ${moving} distinct updates, ${inconsistent} given up as inconsistent; ` +
            `unlocked reads torn: ${rawTorn}`,
        );
        assert.ok(moving > 100, `the writer barely moved (${moving} distinct values in ${reads} reads)`);
        assert.ok(rawTorn > 0, "no unlocked read was torn: the reads never raced the writer");
      } finally {
        rawSegment.close();
        other.close();
        await writer.stop();
        scoreboard.close();
      }
      assert.equal(isAlive(writer.pid), false);
    });
  }
});
