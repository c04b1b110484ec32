// The embedded transport's server in the test process, on a socket in a temp folder, with the test
// dispatcher and a log that keeps what was warned. Closed (and its folder removed) by the test's t.after.
import { join } from "node:path";
import type { TestContext } from "node:test";
import {
  type EmbeddedLimits,
  type EmbeddedServer,
  listenEmbedded,
} from "../../../src/transports/embedded/index.ts";
import { makeTempDir, type TempDir } from "../../harness/temp.ts";
import { type TestDispatcher, testDispatcher } from "./test-dispatcher.ts";

export interface Warning {
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

export interface TestServer {
  readonly server: EmbeddedServer;
  readonly dispatcher: TestDispatcher;
  readonly path: string;
  readonly dir: TempDir;
  readonly warnings: Warning[];
}

export async function startServer(t: TestContext, limits: Partial<EmbeddedLimits> = {}): Promise<TestServer> {
  const dir = makeTempDir("drover-test-embedded-");
  const path = join(dir.path, "dispatch.sock");
  const dispatcher = testDispatcher();
  const warnings: Warning[] = [];
  const log = {
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
  };
  const server = await listenEmbedded(path, dispatcher, log, limits);
  t.after(async () => {
    await server.close();
    dir.remove();
  });
  return { server, dispatcher, path, dir, warnings };
}
