// How the figure benches' sections write their numbers: "–" for what was not measured.
import type { GoalResult } from "./results.ts";

export const fixed = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : "–";
/** Microseconds as µs. */
export const us = (value: number) => fixed(value, value >= 100 ? 0 : 1);
/** Microseconds as ms. */
export const ms = (value: number) => fixed(value / 1000, value >= 100_000 ? 0 : 2);
export const perSecond = (value: number) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–";
export const verdict = (goal: GoalResult) =>
  Number.isNaN(goal.value) ? "not measured" : goal.met ? "met" : "missed";
