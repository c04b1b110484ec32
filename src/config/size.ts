// Sizes in bytes: a number is bytes; a string is a number with a unit ("512MB", "1.5GiB", "64kB").
// Decimal units (kB, MB, GB) are powers of 1000, binary ones (KiB, MiB, GiB) powers of 1024, as the
// SI and IEC prefixes mean; a string without a unit is refused, like a duration without one.
import { accept, describeValue, type Parsed, refuse } from "./errors.ts";

const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};
const SIZE = /^(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)$/i;
const HOW = 'use bytes as a number, or a number with a unit: "512MB", "1.5GiB", "64kB"';

/** Reads a size into whole bytes (rounded), or says why it cannot. */
export function readSize(value: unknown): Parsed<number> {
  let bytes: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0)
      return refuse(`must be a size of 0 or more, got ${describeValue(value)}: ${HOW}`);
    bytes = value;
  } else if (typeof value === "string") {
    const match = SIZE.exec(value.trim());
    if (match && match[2] === "")
      return refuse(
        `has no unit, got ${describeValue(value)}: write "${match[1]}MB", or the number for bytes`,
      );
    const factor = match?.[2] ? UNIT_BYTES[match[2].toLowerCase()] : undefined;
    if (!match || factor === undefined) return refuse(`is not a size, got ${describeValue(value)}: ${HOW}`);
    bytes = Number(match[1]) * factor;
  } else {
    return refuse(`must be a size, got ${describeValue(value)}: ${HOW}`);
  }
  const rounded = Math.round(bytes);
  if (!Number.isSafeInteger(rounded)) return refuse(`is too large, got ${describeValue(value)}: ${HOW}`);
  return accept(rounded);
}
