// A plain node:cluster primary: forks BENCH_WORKERS copies of the bench server with the scheduling
// policy given as the first argument ("rr": the primary accepts and hands connections round-robin;
// "none": every worker accepts on the shared socket and the kernel picks). No restart, no extras:
// this is the baseline a hand-written supervisor starts from.
import cluster from "node:cluster";
import { fileURLToPath } from "node:url";

const policy = process.argv[2];
if (policy !== "rr" && policy !== "none") {
  console.error(`cluster launcher: policy must be "rr" or "none", got ${policy}`);
  process.exit(2);
}
// Must be set before the first fork; it freezes then.
cluster.schedulingPolicy = policy === "rr" ? cluster.SCHED_RR : cluster.SCHED_NONE;
cluster.setupPrimary({ exec: fileURLToPath(new URL("../apps/server.ts", import.meta.url)) });

const workers = Number(process.env.BENCH_WORKERS ?? "1");
for (let i = 0; i < workers; i++) cluster.fork();

// A worker that dies during a bench is an error worth seeing, not something to hide by restarting.
cluster.on("exit", (worker, code, signal) => {
  console.error(`cluster launcher: worker ${worker.process.pid} exited (${signal ?? code})`);
});
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    process.exit(0);
  });
}
