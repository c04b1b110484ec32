// `npm start` until the master lands: two children serve HTTP on one port (each with its own
// reusePort listener) and account every connection and request in a shared-memory scoreboard, which
// this process reads and prints once a second. Ctrl-C stops everything and removes the scoreboard.
import { fork } from "node:child_process";
import { join } from "node:path";
import { Scoreboard, type ScoreboardSnapshot } from "../../src/scoreboard/index.ts";
import { shmPath } from "../../src/shm/index.ts";

const CHILDREN = 2;
const WORKERS_PER_CHILD = 8;
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? "127.0.0.1";

const scoreboard = Scoreboard.create({
  path: shmPath(`drover-demo-${process.pid}`),
  serverLimit: CHILDREN,
  workerLimit: WORKERS_PER_CHILD,
});
const children = Array.from({ length: CHILDREN }, (_, slot) => {
  scoreboard.master.prepareSlot(slot, 0, WORKERS_PER_CHILD, Date.now());
  return fork(
    join(import.meta.dirname, "child.ts"),
    [scoreboard.path, String(slot), String(WORKERS_PER_CHILD)],
    {
      env: { ...process.env, PORT: String(port), HOST: host },
    },
  );
});

let ready = 0;
for (const child of children) {
  child.on("message", (message) => {
    if (message === "listening" && ++ready === CHILDREN) {
      console.log(`drover demo: http://${host}:${port}/ served by ${CHILDREN} children; Ctrl-C stops it`);
    }
  });
  child.on("exit", (code) => {
    if (!stopping) shutdown(`a child exited (code ${code})`, 1);
  });
}

// Print the board once a second, but only when it changed.
let lastBoard = "";
const ticker = setInterval(() => {
  const board = render(scoreboard.snapshot());
  if (board !== lastBoard) console.log(board);
  lastBoard = board;
}, 1_000);
let stopping = false;
process.on("SIGINT", () => shutdown("interrupted", 0));
process.on("SIGTERM", () => shutdown("terminated", 0));

function shutdown(reason: string, code: number): void {
  if (stopping) return;
  stopping = true;
  clearInterval(ticker);
  console.log(`drover demo: stopping (${reason})`);
  let left = children.length;
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) left--;
    else child.once("exit", () => --left === 0 && finish(code)).kill("SIGTERM");
  }
  if (left === 0) finish(code);
}

function finish(code: number): void {
  scoreboard.close();
  process.exitCode = code;
}

function render(snap: ScoreboardSnapshot): string {
  const rows = snap.processes.map(
    (p) =>
      `  slot ${p.slot}  pid ${p.pid}  ${p.workers.map((w) => w.letter).join("")}  ${p.requests} requests`,
  );
  const { busyWorkers, idleWorkers, requests } = snap.totals;
  return [`${requests} requests, ${busyWorkers} busy, ${idleWorkers} idle workers`, ...rows].join("\n");
}
