// Runs one of the bench's own load clients (autocannon-client.ts, mixed-client.ts) in a process of its
// own, so the client never shares an event loop with the bench, and reads its BENCH_RESULT line.
import { execFile } from "node:child_process";

/** Runs `script` on this Node with `payload` as JSON in argv[2]; resolves the parsed BENCH_RESULT. */
export function runClient<T>(
  script: URL,
  payload: unknown,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script.pathname, JSON.stringify(payload)],
      { timeout: timeoutMs, signal, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        const line = stdout.match(/^BENCH_RESULT (\{.*\})$/m)?.[1];
        if (error || !line)
          reject(new Error(`${script.pathname} failed: ${error?.message ?? "no result"}\n${stderr}`));
        else resolve(JSON.parse(line) as T);
      },
    );
  });
}
