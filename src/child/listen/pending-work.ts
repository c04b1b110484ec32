// Whether the app still has work under way that could end in a listen() (`db.connect().then(() =>
// app.listen(3000))`): handles and requests that keep the event loop alive (a socket connecting, a DNS
// lookup, a timer, a file read) beyond those the child had before it loaded the app. Unref'd timers
// are not counted: Node does not list them.

export type ResourceCounts = ReadonlyMap<string, number>;

export function activeResources(): ResourceCounts {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** True while some kind of resource is held more often than in `baseline`. */
export function hasWorkBeyond(baseline: ResourceCounts): boolean {
  for (const [kind, count] of activeResources()) if (count > (baseline.get(kind) ?? 0)) return true;
  return false;
}
