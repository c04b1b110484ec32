// Started as root with a user, a drone maps its scoreboard first, then drops to that user and its group
// before it loads the service or runs any childInit; the service's methods run as that user.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { assertAccount, assertRoot } from "../harness/preconditions.ts";
import { makeSharedDir } from "../harness/temp.ts";
import { readyDrone, resultOf } from "./test-drone.ts";

// drover's defineService, copied beside the service: the clone may sit in a folder only root may
// enter. Its one import is a type, and its brand a registered symbol, so the copy's services are drover's.
const DEFINE = fileURLToPath(new URL("../../src/service/define.ts", import.meta.url));

const SERVICE = `import { defineService } from "./define.ts";
export default defineService({
  methods: { ids: () => ({ uid: process.getuid(), gid: process.getgid() }) },
  childInit: (ctx) => ctx.log.info("childInit as", { uid: process.getuid() }),
});
`;

it("a drone given uid and gid runs its childInit and methods as that user", async (t) => {
  assertRoot("to start a drone that drops to another user");
  const nobody = assertAccount("nobody");
  const dir = makeSharedDir("drover-test-drone-privileges-", nobody);
  t.after(() => dir.remove());
  dir.write("define.ts", readFileSync(DEFINE, "utf8"));
  const service = dir.write("service.ts", SERVICE);
  const drone = await readyDrone(t, {
    spec: { module: service, uid: nobody.uid, gid: nobody.gid, userName: "nobody" },
  });
  assert.deepEqual(resultOf(await drone.call("ids")), nobody);
  assert.match(drone.output(), new RegExp(`"uid":${nobody.uid},"msg":"childInit as"`));
  const status = readFileSync(`/proc/${drone.pid}/status`, "utf8");
  assert.match(status, new RegExp(`^Uid:\\t${nobody.uid}\\t${nobody.uid}\\t${nobody.uid}`, "m"));
});
