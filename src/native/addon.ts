// Loads drover's N-API addon (native/), built by node-gyp at `npm install`.
import { createRequire } from "node:module";
import { DroverError, ErrorCode } from "../errors.ts";

// Relative to this file, so the same line works from src/native/ (type stripping) and dist/native/.
const ADDON = "../../build/Release/drover_native.node";

let addon: unknown;

/** The addon, loaded on first use so that code which never needs it works without it. */
export function loadAddon(): unknown {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  try {
    addon = require(ADDON);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    throw new DroverError(
      ErrorCode.NATIVE_MISSING,
      `drover's native addon (build/Release/drover_native.node) could not be loaded: ${reason}. ` +
        "Build it with `npm rebuild drover` in your project, or `npm install` in a drover checkout " +
        "(node-gyp needs python3, make and a C compiler).",
      { cause },
    );
  }
  return addon;
}
