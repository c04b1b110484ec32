// One child of the demo: serves "hello" and accounts its connections in its scoreboard slot.
import { createServer } from "node:http";
import { WorkerSlots } from "../../src/child/worker-slots.ts";
import { ProcessState, Scoreboard } from "../../src/scoreboard/index.ts";

const [path, slotText, workersText] = process.argv.slice(2);
const slot = Number(slotText);
const scoreboard = Scoreboard.open(path as string);
const record = scoreboard.processWriter(slot);
record.claim(process.pid, Date.now());
const slots = new WorkerSlots(scoreboard, slot, Number(workersText), true, {
  connected: () => record.countConnection(),
});

const server = createServer((_request, response) => {
  response.end(`hello from child ${slot} (pid ${process.pid})\n`);
});
slots.attach(server);
server.listen({ port: Number(process.env.PORT), host: process.env.HOST, reusePort: true }, () => {
  record.setState(ProcessState.Ready);
  process.send?.("listening");
});

const heartbeat = setInterval(() => {
  const memory = process.memoryUsage();
  record.heartbeat(Date.now(), memory.rss, memory.heapUsed);
}, 250);

// Exit when told to, and when the parent goes away (the IPC channel closes): no orphans.
const stop = () => {
  clearInterval(heartbeat);
  server.close(() => {
    scoreboard.close();
    if (process.connected) process.disconnect();
  });
  server.closeIdleConnections();
  // Requests still running after two seconds are cut short: this is a demo, not the real drain.
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on("SIGTERM", stop);
process.on("disconnect", stop);
