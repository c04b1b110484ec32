// The status page in a real headless Chromium, from a real master on loopback: the DOM holds the grid,
// the key and a row per child; the page loads nothing else; its meta refresh reloads it; and a
// screenshot of the grid shows letters drawn on their background.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { it } from "node:test";
import { inflateSync } from "node:zlib";
import { type Browser, chromium } from "playwright-core";
import { processStat, waitForPidsGone } from "../../harness/process.ts";
import { waitFor } from "../../harness/wait.ts";
import { chromiumToLaunch } from "../../support/chromium.ts";
import { startDrover } from "../../support/drover.ts";
import { request } from "../../support/lifecycle.ts";

// Answers "app <path>"; holds /slow requests for `?ms=` milliseconds (at most 30 s).
const APP = `export default (req: any, res: any) => {
  const url = new URL(req.url, "http://localhost");
  const ms = url.pathname === "/slow" ? Math.min(Number(url.searchParams.get("ms") ?? 30000), 30000) : 0;
  setTimeout(() => res.end("app " + url.pathname), ms);
};
`;

const SLOW_PATH = "/slow?ms=30000&who=<i>browser</i>";

it("renders the status page in headless Chromium, grid and all", {
  timeout: 300_000,
}, async (t) => {
  // Debian's Chromium, else the one npm install brought (extracted on first use, which takes a while).
  const chromiumUsed = await chromiumToLaunch();
  t.diagnostic(`Chromium: ${chromiumUsed.source}`);
  const drover = await startDrover({
    app: APP,
    config: { startServers: 2, workersPerChild: 4, minSpareWorkers: 1, modules: [{ use: "status" }] },
  });
  let browser: Browser | undefined;
  let browserPids: number[] = [];
  // Held in flight until the end, so the grid shows a busy worker besides the page's own request.
  const slow = request({ port: drover.port }, SLOW_PATH, 60_000).catch(() => undefined);
  try {
    const base = `http://127.0.0.1:${drover.port}/server-status`;
    await waitFor("the slow request in flight", async () => {
      const json = JSON.parse((await request({ port: drover.port }, "/server-status?json")).body) as {
        children: { workers: { inProgress: boolean; request: string }[] }[];
      };
      return json.children.some((c) =>
        c.workers.some((w) => w.inProgress && w.request.startsWith("GET /slow")),
      );
    });
    const status = await drover.status();

    browser = await chromium.launch({
      executablePath: chromiumUsed.executablePath,
      args: [...chromiumUsed.args],
      timeout: 60_000,
    });
    browserPids = descendants(process.pid).filter((pid) => commandOf(pid).includes("chromium"));
    assert.ok(browserPids.length > 0, "the browser's processes are found");
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    const requested: string[] = [];
    page.on("request", (r) => requested.push(r.url()));

    const response = await page.goto(base, { waitUntil: "load", timeout: 30_000 });
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), "drover status");
    assert.deepEqual(requested, [base], "the page loads nothing besides itself");

    // One grid row per child, with one letter per worker slot; the busy ones include this request.
    const rows = await page.locator("#scoreboard .row").evaluateAll((elements) =>
      elements.map((e) => ({
        pid: Number(e.getAttribute("data-pid")),
        letters: e.querySelector(".letters")?.textContent ?? "",
      })),
    );
    assert.deepEqual(rows.map((r) => r.pid).sort(), status.children.map((c) => c.pid).sort());
    for (const row of rows) assert.match(row.letters, /^[_SRWKLCGI.]{4}$/);
    assert.ok(
      rows
        .map((r) => r.letters)
        .join("")
        .split("W").length -
        1 >=
        2,
      JSON.stringify(rows),
    );

    const key = await page.locator("#key li").allTextContents();
    assert.equal(key.length, 10);
    assert.equal(key[0], "_waiting for connection");
    assert.equal(key[3], "Wsending reply");

    // The children's table: a row per child, the slow request shown as text, never as markup.
    const tableRows = await page.locator("#children tbody tr").evaluateAll((elements) =>
      elements.map((e) => ({
        pid: Number(e.getAttribute("data-pid")),
        cells: [...e.querySelectorAll("td")].map((td) => td.textContent ?? ""),
      })),
    );
    assert.deepEqual(tableRows.map((r) => r.pid).sort(), rows.map((r) => r.pid).sort());
    for (const row of tableRows) assert.equal(row.cells[1], String(row.pid));
    const slowCell = tableRows.flatMap((r) => r.cells).find((cell) => cell.includes("GET /slow"));
    assert.match(slowCell ?? "", /GET \/slow\?ms=30000&who=<i>browser<\/i> \(\d+\.\d s\)/);
    assert.equal(await page.locator("#children i").count(), 0, "a request line is never markup");

    // The grid as drawn: a box of a real size, with dark letters, red busy letters and background.
    const grid = page.locator("#scoreboard");
    const box = await grid.boundingBox();
    assert.ok(box && box.width > 40 && box.height > 40, JSON.stringify(box));
    const image = decodePng(await grid.screenshot());
    // (The box may fall between device pixels.)
    assert.ok(Math.abs(image.width - box.width) <= 1 && Math.abs(image.height - box.height) <= 1);
    const pixels = countPixels(image);
    const total = image.width * image.height;
    assert.ok(pixels.background > total / 2, `mostly background: ${JSON.stringify(pixels)} of ${total}`);
    assert.ok(pixels.dark > 30, `dark letter pixels: ${JSON.stringify(pixels)}`);
    assert.ok(pixels.red > 10, `red busy-letter pixels: ${JSON.stringify(pixels)}`);

    // ?refresh=1 reloads the page by itself.
    let loads = 0;
    page.on("load", () => loads++);
    await page.goto(`${base}?refresh=1`, { waitUntil: "load" });
    assert.equal(await page.locator('meta[http-equiv="refresh"]').getAttribute("content"), "1");
    await waitFor("the page to reload itself", () => loads >= 2, 10_000);
  } finally {
    try {
      await browser?.close();
      // No Chromium process outlives the test.
      await waitForPidsGone(browserPids, 10_000);
    } finally {
      await drover.stop();
      await slow;
    }
  }
});

/** Pids of every process below `root`, read from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    const parent = Number.isInteger(pid) ? processStat(pid)?.parent : undefined;
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

interface Image {
  readonly width: number;
  readonly height: number;
  /** RGBA, row by row. */
  readonly rgba: Uint8Array;
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's screenshots are). */
function decodePng(png: Buffer): Image {
  assert.equal(png.subarray(0, 8).toString("hex"), "89504e470d0a1a0a", "PNG signature");
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("latin1", offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, color, , , interlace] = body.subarray(8, 13);
      assert.equal(depth, 8, "8 bits per channel");
      assert.equal(interlace, 0, "not interlaced");
      channels = color === 6 ? 4 : color === 2 ? 3 : 0;
      assert.ok(channels > 0, `colour type ${color} is RGB or RGBA`);
    } else if (type === "IDAT") data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = x >= channels && y > 0 ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter ?? 0];
      assert.ok(predictor !== undefined, `PNG filter ${filter}`);
      pixels[y * stride + x] = ((line[x] ?? 0) + predictor) & 0xff;
    }
  }
  if (channels === 4) return { width, height, rgba: pixels };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set(pixels.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Pixels of the grid's light background, of dark (idle) letters, and of red (busy) letters. */
function countPixels(image: Image): { background: number; dark: number; red: number } {
  const counts = { background: 0, dark: 0, red: 0 };
  for (let i = 0; i < image.rgba.length; i += 4) {
    const [r = 0, g = 0, b = 0] = image.rgba.subarray(i, i + 3);
    if (r > 225 && g > 225 && b > 225) counts.background++;
    else if (r < 110 && g < 110 && b < 110) counts.dark++;
    else if (r > 120 && g < 60 && b < 60) counts.red++;
  }
  return counts;
}
