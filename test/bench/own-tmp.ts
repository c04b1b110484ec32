// A bench target's files go in a temp folder of the test's own (os.tmpdir() reads TMPDIR at each
// call): another job's benchmark may make drover-bench-* folders in the system's meanwhile.
import type { TestContext } from "node:test";
import { makeTempDir, type TempDir } from "../harness/temp.ts";

export function useOwnTmpDir(t: TestContext): TempDir {
  const temp = makeTempDir("drover-bench-tmp-");
  const systemTmp = process.env.TMPDIR;
  process.env.TMPDIR = temp.path;
  t.after(() => {
    if (systemTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = systemTmp;
    temp.remove();
  });
  return temp;
}
