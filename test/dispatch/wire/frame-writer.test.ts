// The frame writer on a real socket pair: the frames of one turn leave in one write, in order, and
// arrive whole; a frame alone is one write; a flush before end() sends what is queued.
import assert from "node:assert/strict";
import { connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { it } from "node:test";
import { FrameWriter } from "../../../src/dispatch/wire/frame-writer.ts";
import { encodeFrame, type Frame, FrameReader } from "../../../src/dispatch/wire/frames.ts";
import { Kind } from "../../../src/dispatch/wire/messages.ts";
import { makeTempDir } from "../../harness/temp.ts";
import { waitFor } from "../../harness/wait.ts";

async function socketPair(t: import("node:test").TestContext): Promise<{ client: Socket; server: Socket }> {
  const dir = makeTempDir("drover-test-frame-writer-");
  t.after(dir.remove);
  const path = join(dir.path, "s.sock");
  const accepted = new Promise<Socket>((resolve) => {
    const server = createServer((socket) => {
      server.close();
      resolve(socket);
    });
    server.listen(path);
  });
  const client = connect(path);
  await new Promise((resolve) => client.once("connect", resolve));
  const server = await accepted;
  t.after(() => {
    client.destroy();
    server.destroy();
  });
  return { client, server };
}

function reading(socket: Socket): Frame[] {
  const frames: Frame[] = [];
  const reader = new FrameReader({
    frame: (frame) => frames.push(frame),
    bodyLimit: () => Number.MAX_SAFE_INTEGER,
    oversize: () => assert.fail("no limit"),
  });
  socket.on("data", (chunk: Buffer) => reader.push(chunk));
  return frames;
}

// Counts the writes the writer makes on the socket (the socket still makes each of them).
function countWrites(socket: Socket): { count: number } {
  const writes = { count: 0 };
  const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
  socket.write = ((chunk: Buffer) => {
    writes.count++;
    return write(chunk);
  }) as Socket["write"];
  return writes;
}

it("writes the frames of one turn in one write, in order, and a frame alone in one", async (t) => {
  const { client, server } = await socketPair(t);
  const frames = reading(server);
  const writes = countWrites(client);
  const writer = new FrameWriter(client);
  for (let id = 1; id <= 64; id++) writer.write(encodeFrame(Kind.RESULT, { id }, Buffer.alloc(id, id)));
  assert.equal(writes.count, 0, "nothing is written before the turn's work is done");
  await waitFor("64 frames", () => frames.length === 64);
  assert.equal(writes.count, 1);
  assert.deepEqual(
    frames.map((frame) => frame.header.id),
    Array.from({ length: 64 }, (_, i) => i + 1),
  );
  assert.ok(
    frames.every((frame) =>
      frame.body.equals(Buffer.alloc(frame.header.id as number, frame.header.id as number)),
    ),
  );

  writer.write(encodeFrame(Kind.CANCEL, { id: 65 }));
  await waitFor("frame 65", () => frames.length === 65);
  assert.equal(writes.count, 2);

  // Big frames go as they are, corked into one writev; they arrive whole and in order.
  const big = Buffer.alloc(200 * 1024, 9);
  writer.write(encodeFrame(Kind.RESULT, { id: 66 }, big));
  writer.write(encodeFrame(Kind.RESULT, { id: 67 }, big));
  await waitFor("frames 66 and 67", () => frames.length === 67);
  assert.deepEqual(
    frames.slice(65).map((frame) => [frame.header.id, frame.body.equals(big)]),
    [
      [66, true],
      [67, true],
    ],
  );
});

it("flush() before end() sends what is queued; a destroyed socket drops it", async (t) => {
  const { client, server } = await socketPair(t);
  const frames = reading(server);
  const ended = new Promise((resolve) => server.once("end", resolve));
  const writer = new FrameWriter(client);
  writer.write(encodeFrame(Kind.RESULT, { id: 1 }));
  writer.flush();
  client.end();
  await ended;
  assert.deepEqual(
    frames.map((frame) => frame.header.id),
    [1],
  );
  writer.write(encodeFrame(Kind.RESULT, { id: 2 }));
  client.destroy();
  writer.flush();
  assert.equal(frames.length, 1);
});
