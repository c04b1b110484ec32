// Durations: a number is milliseconds; a string is a number with a unit ("500ms", "30s", "2m", "1h").
// A string without a unit is refused rather than guessed, since "30" could mean seconds or milliseconds.
import { accept, ConfigInvalidError, describeValue, type Parsed, refuse } from "./errors.ts";
import type { Duration } from "./types/values.ts";

/** The longest delay a Node timer can wait; a longer one would fire after 1 ms. About 24.8 days. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-z]*)$/;
const HOW = 'use milliseconds as a number, or a number with a unit: "500ms", "30s", "2m", "1h"';

/**
 * Reads a duration into whole milliseconds (rounded), or says why it cannot. `positive`: the field
 * needs more than 0 (its caller refuses 0 with its own reason), so a negative one is told so.
 */
export function readDuration(value: unknown, positive = false): Parsed<number> {
  let ms: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      return refuse(`must be a finite duration, got ${describeValue(value)}: ${HOW}`);
    ms = value;
  } else if (typeof value === "string") {
    const match = DURATION.exec(value.trim());
    const factor = match?.[2] ? UNIT_MS[match[2]] : undefined;
    if (match && Number(match[1]) < 0) return negative(value, positive);
    if (match && match[2] === "") {
      return refuse(
        `has no unit, got ${describeValue(value)}: write "${match[1]}ms" or "${match[1]}s", ` +
          `or the number ${match[1]} for milliseconds`,
      );
    }
    if (!match || factor === undefined)
      return refuse(`is not a duration, got ${describeValue(value)}: ${HOW}`);
    ms = Number(match[1]) * factor;
  } else {
    return refuse(`must be a duration, got ${describeValue(value)}: ${HOW}`);
  }
  if (ms < 0) return negative(value, positive);
  const rounded = Math.round(ms);
  if (rounded > MAX_DURATION_MS) {
    return refuse(
      `is longer than a Node timer can wait (${MAX_DURATION_MS} ms, about 24.8 days), ` +
        `got ${describeValue(value)}: use a shorter duration`,
    );
  }
  return accept(rounded);
}

function negative(value: unknown, positive: boolean): Parsed<number> {
  return refuse(
    `must not be negative, got ${describeValue(value)}: use ${positive ? "more than 0" : "0 or more"}`,
  );
}

/** Parses a duration to milliseconds; throws DROVER_ERR_CONFIG_INVALID naming `field` if it is not one. */
export function parseDuration(value: Duration | string, field = "duration"): number {
  const parsed = readDuration(value);
  if (!parsed.ok) throw new ConfigInvalidError([{ field, reason: parsed.reason }]);
  return parsed.value;
}
