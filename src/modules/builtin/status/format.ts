// Numbers as the page prints them.

const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];

/** Bytes in binary units, as mod_status prints them: "512 B", "1.5 kB", "12.3 MB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** A rate or average: up to three decimals, no trailing zeros, never an exponent. */
export function formatDecimal(value: number): string {
  if (!Number.isFinite(value) || Math.abs(value) < 0.0005) return "0";
  return value.toFixed(3).replace(/\.?0+$/, "");
}

/** Milliseconds as seconds with one decimal: "0.4 s". */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
