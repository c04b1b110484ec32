// Markdown tables laid out the way the repo's formatter (Biome) lays them out: every column padded to
// its widest cell, so a generated docs/benchmarks.md passes `biome check` as written.

export type Align = "left" | "right";

const width = (text: string) => [...text].length;

/** A table with one header row; `align` gives each column's alignment (left by default). */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const widths = header.map((cell, column) =>
    Math.max(3, width(cell), ...rows.map((row) => width(row[column] ?? ""))),
  );
  const pad = (cell: string, column: number) => {
    const fill = " ".repeat((widths[column] ?? 0) - width(cell));
    return align[column] === "right" ? fill + cell : cell + fill;
  };
  const line = (cells: readonly string[]) =>
    `| ${header.map((_, i) => pad(cells[i] ?? "", i)).join(" | ")} |`;
  const rule = widths.map((w, i) => (align[i] === "right" ? `${"-".repeat(w - 1)}:` : "-".repeat(w)));
  return [line(header), `| ${rule.join(" | ")} |`, ...rows.map(line)].join("\n");
}
