// A socket standing in for systemd's NOTIFY_SOCKET: python3 binds the Unix datagram socket (Node
// cannot), with SO_PASSCRED so that the kernel tells the sender of each message, and prints every
// datagram as one JSON line with its sender's pid and the CLOCK_MONOTONIC time it arrived. Messages
// are read in the order they were sent (a Unix datagram socket keeps it). It exits by itself within a
// second if the test process that started it dies before stopping it.
import { type SpawnedProcess, spawnProcess } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";

const RECEIVER = `
import json, os, socket, struct, sys, time
address = sys.argv[1]
parent = os.getppid()
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind("\\0" + address[1:] if address.startswith("@") else address)
s.settimeout(1.0)
print(json.dumps({"bound": True}), flush=True)
while True:
    try:
        data, ancillary, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(12))
    except socket.timeout:
        # The test that started it died without stopping it: go too, rather than linger.
        if os.getppid() != parent:
            sys.exit(0)
        continue
    at = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    pid = None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("3i", payload[:12])[0]
    print(json.dumps({"pid": pid, "at": at, "text": data.decode()}), flush=True)
`;

export interface NotifyMessage {
  /** The sender's pid, as the kernel says. */
  readonly pid: number | null;
  /** CLOCK_MONOTONIC, in microseconds, when it arrived. */
  readonly at: number;
  readonly text: string;
  /** Its KEY=VALUE lines. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface NotifyReceiver {
  /** What NOTIFY_SOCKET is set to: the path, or "@name". */
  readonly address: string;
  readonly process: SpawnedProcess;
  /** Every message so far, in order. */
  messages(): NotifyMessage[];
  /** The first message from index `from` on that satisfies `test`, and its index; waits for it. */
  next(
    what: string,
    test: (message: NotifyMessage) => boolean,
    from?: number,
    timeoutMs?: number,
  ): Promise<{ message: NotifyMessage; index: number }>;
}

/** A unique abstract name, so that nothing is left in any folder. */
export function abstractNotifyName(): string {
  return `@drover-test-notify-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Starts the receiver on `address`; `cleanup` (t.after) stops it and proves it gone. */
export async function startNotifyReceiver(
  address: string,
  cleanup: (fn: () => Promise<void>) => void,
): Promise<NotifyReceiver> {
  const process = await spawnProcess("python3", ["-c", RECEIVER, address], {
    ready: /"bound": true/,
    readyTimeoutMs: 15_000,
    cleanup,
  });
  const messages = () =>
    process
      .output()
      .split("\n")
      .filter((line) => line.startsWith('{"pid"'))
      .map((line) => {
        const { pid, at, text } = JSON.parse(line) as { pid: number | null; at: number; text: string };
        const fields = Object.fromEntries(
          text
            .split("\n")
            .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
        );
        return { pid, at, text, fields };
      });
  return {
    address,
    process,
    messages,
    next: (what, test, from = 0, timeoutMs = 30_000) =>
      waitFor(
        what,
        () => {
          const all = messages();
          const index = all.findIndex((message, i) => i >= from && test(message));
          const message = all[index];
          return message && { message, index };
        },
        timeoutMs,
      ),
  };
}
