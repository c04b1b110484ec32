// Which sources the committed prebuilds were built from: binding.gyp and native/, hashed in
// prebuilds/sources.sha256 (sha256sum's format, so `sha256sum -c` reads it too). A test compares it
// with the checkout, so a change to the C code cannot ship with binaries built before it.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export const SOURCES_MANIFEST = "prebuilds/sources.sha256";

/** The files the addon is built from, relative to `root`, sorted. */
export function nativeSources(root: string): string[] {
  const native = readdirSync(join(root, "native"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
  return ["binding.gyp", ...native].sort();
}

/** One "<sha256>  <path>" line per source, as the manifest holds them. */
export function sourcesDigest(root: string): string {
  return nativeSources(root)
    .map(
      (path) =>
        `${createHash("sha256")
          .update(readFileSync(join(root, path)))
          .digest("hex")}  ${path}\n`,
    )
    .join("");
}
