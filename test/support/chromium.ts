// The Chromium the browser test drives: Debian's where it is installed (/usr/bin/chromium), else the
// headless Chromium that the @sparticuz/chromium devDependency ships inside its package, so that
// `npm install` alone brings a browser (no download: the package holds the brotli-compressed binary).
// That one needs only libraries every Debian machine of the project has (libnss3, libnspr4, libexpat1).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const SYSTEM_CHROMIUM = "/usr/bin/chromium";
const PACKAGE = "@sparticuz/chromium";
const SYSTEM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--no-first-run",
];

export interface ChromiumToLaunch {
  readonly executablePath: string;
  readonly args: readonly string[];
  /** Which one it is, for messages. */
  readonly source: string;
}

/** Debian's Chromium if it is there, else the packaged one, extracted on first use. */
export async function chromiumToLaunch(systemPath = SYSTEM_CHROMIUM): Promise<ChromiumToLaunch> {
  if (existsSync(systemPath)) return { executablePath: systemPath, args: SYSTEM_ARGS, source: systemPath };
  const packaged = (await import(PACKAGE)).default as { readonly args: string[] };
  return { executablePath: await packagedChromium(), args: packaged.args, source: PACKAGE };
}

/**
 * The packaged Chromium's binary, extracted once per version into node_modules/.cache. The package
 * extracts into os.tmpdir() (and reuses whatever "chromium" it finds there): it is run with a fresh
 * folder of our own as TMPDIR, which is renamed into place once complete, so a half-written binary is
 * never taken, nor another job's.
 */
async function packagedChromium(): Promise<string> {
  const entry = fileURLToPath(import.meta.resolve(PACKAGE));
  const root = join(dirname(entry), "..");
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const cache = join(root, "..", "..", ".cache", `drover-chromium-${version}`);
  const binary = join(cache, "chromium");
  if (existsSync(binary)) return binary;

  mkdirSync(dirname(cache), { recursive: true });
  const staging = mkdtempSync(`${cache}.partial-`);
  try {
    const script = `const c = (await import(${JSON.stringify(PACKAGE)})).default; console.log(await c.executablePath());`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      env: { ...process.env, TMPDIR: staging },
      timeout: 300_000,
    });
    if (stdout.trim() !== join(staging, "chromium"))
      throw new Error(`${PACKAGE} extracted its Chromium to ${stdout.trim()}, not to ${staging}`);
    renameSync(staging, cache);
  } catch (error) {
    // Another process may have put a complete one in place meanwhile: that one will do.
    if (!existsSync(binary)) throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}
