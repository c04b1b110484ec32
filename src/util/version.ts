// drover's version, from its package.json (for `drover --version` and the status page).
import { readFileSync } from "node:fs";

// Two levels up from src/util/ (and from dist/util/ once built).
const PACKAGE_JSON = new URL("../../package.json", import.meta.url);

/** The version in drover's package.json; null if it cannot be read. */
export function readDroverVersion(): string | null {
  try {
    const version = (JSON.parse(readFileSync(PACKAGE_JSON, "utf8")) as { version?: unknown }).version;
    return typeof version === "string" ? version : null;
  } catch {
    return null;
  }
}
