// Saves every run of a bench invocation as JSON under bench/results/ (gitignored), for later analysis.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** The repo-relative path the raw results of a run started at `date` go to. */
export function rawResultsPath(date: Date): string {
  const stamp = date
    .toISOString()
    .replaceAll(":", "-")
    .replace(/\.\d+Z$/, "Z");
  return relative(repoRoot, join(resultsDir, `${stamp}.json`));
}

/** Writes `data` to `path` (repo-relative), creating bench/results/ if needed. */
export function saveRawResults(path: string, data: unknown): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(repoRoot, path), `${JSON.stringify(data, null, 2)}\n`);
}
