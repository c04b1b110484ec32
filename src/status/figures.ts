// Figures as `drover status` and `drover top` print them.

/** Megabytes with one decimal; "-" for 0, which a process has until its first heartbeat measures it. */
export function megabytes(bytes: number): string {
  return bytes > 0 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : "-";
}

/** CPU seconds: "0.42 s", "12.3 s", "1h 2m"; "-" when unknown. */
export function cpuTime(seconds: number | null): string {
  if (seconds === null) return "-";
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 600) return `${seconds.toFixed(1)} s`;
  return shortDuration(seconds);
}

/** A duration in whole seconds, two units at most: "42s", "3m 5s", "2h 10m", "4d 1h". */
export function shortDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const units: [number, string][] = [
    [Math.floor(s / 86_400), "d"],
    [Math.floor((s % 86_400) / 3_600), "h"],
    [Math.floor((s % 3_600) / 60), "m"],
    [s % 60, "s"],
  ];
  const first = units.findIndex(([value]) => value > 0);
  if (first === -1) return "0s";
  return units
    .slice(first, first + 2)
    .filter(([value], index) => index === 0 || value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(" ");
}

/** "1 child", "2 children". */
export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
