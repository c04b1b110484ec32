// Children start with Node's compile cache on: V8's code for drover, its dependencies and the app
// (TypeScript already stripped) is kept on disk, so every child after the first, in every generation,
// starts without compiling it all again (a third of a child's start-up CPU when drover runs from its
// sources). Node's own default folder; an operator's NODE_COMPILE_CACHE (in the environment or the
// config's env) wins, and NODE_DISABLE_COMPILE_CACHE=1 turns it off. A folder the child cannot write
// (another user's) only leaves the cache off.
import { tmpdir } from "node:os";
import { join } from "node:path";

export const COMPILE_CACHE_ENV: Readonly<Record<string, string>> = {
  NODE_COMPILE_CACHE: join(tmpdir(), "node-compile-cache"),
};
