// The terminal as `drover top` uses it: the alternate screen (what was on the terminal comes back when
// it ends), no cursor, each frame drawn in place in one write, and every key read raw. restore() puts it
// all back, and is safe to call more than once.
import type { ReadStream, WriteStream } from "node:tty";

const ENTER = "\x1b[?1049h\x1b[?25l"; // alternate screen, cursor hidden
const LEAVE = "\x1b[?25h\x1b[?1049l"; // cursor shown, main screen back

export class Screen {
  readonly #out: WriteStream;
  readonly #in: ReadStream | undefined;
  #active = false;

  constructor(out: WriteStream, input: ReadStream | undefined) {
    this.#out = out;
    this.#in = input;
  }

  get width(): number {
    return this.#out.columns || 80;
  }

  get height(): number {
    return this.#out.rows || 24;
  }

  enter(onKey: (key: string) => void): void {
    this.#active = true;
    this.#out.write(ENTER);
    if (this.#in) {
      this.#in.setRawMode(true);
      this.#in.setEncoding("utf8");
      this.#in.on("data", onKey);
      this.#in.resume();
    }
  }

  /** Draws `lines` from the top left, each on its own row, and clears whatever is below them. */
  draw(lines: readonly string[]): void {
    if (!this.#active) return;
    let text = "";
    lines.forEach((line, row) => {
      text += `\x1b[${row + 1};1H\x1b[2K${line}`;
    });
    if (lines.length < this.height) text += `\x1b[${lines.length + 1};1H\x1b[J`;
    this.#out.write(text);
  }

  restore(): void {
    if (!this.#active) return;
    this.#active = false;
    if (this.#in) {
      this.#in.setRawMode(false);
      this.#in.pause();
    }
    this.#out.write(LEAVE);
  }
}
