// Replaces the text between two marker comments of a document, keeping the markers.

export const RESULTS_START = "<!-- bench:results:start -->";
export const RESULTS_END = "<!-- bench:results:end -->";
export const MICRO_START = "<!-- bench:micro:start -->";
export const MICRO_END = "<!-- bench:micro:end -->";

/** `document` with everything between `start` and `end` replaced by `content`; throws if a marker is missing. */
export function replaceBetween(
  document: string,
  content: string,
  start = RESULTS_START,
  end = RESULTS_END,
): string {
  const from = document.indexOf(start);
  const to = document.indexOf(end, from + start.length);
  if (from < 0 || to < 0) throw new Error(`markers ${start} ... ${end} not found in order`);
  return `${document.slice(0, from + start.length)}\n${content.trim()}\n${document.slice(to)}`;
}
