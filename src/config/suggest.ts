// For an unknown field, the known field the user most likely meant: a typo, another spelling
// (max_spare_workers, max-spare-workers), or the Apache directive it comes from (ThreadsPerChild), or
// for a service the OpenSRF prefork setting (max_children, keepalive).

const FORMER_NAMES: Readonly<Record<string, string>> = {
  threadsperchild: "workersPerChild",
  threadlimit: "workerLimit",
  minsparethreads: "minSpareWorkers",
  maxsparethreads: "maxSpareWorkers",
  maxclients: "maxRequestWorkers",
  maxrequestsperchild: "maxConnectionsPerChild",
  gracefulshutdowntimeout: "gracefulShutdownTimeout",
  loglevel: "logLevel",
  minchildren: "minDrones",
  maxchildren: "maxDrones",
  minsparechildren: "minSpareDrones",
  maxsparechildren: "maxSpareDrones",
  maxrequests: "maxRequestsPerDrone",
  keepalive: "sessionIdleTimeout",
};

/** The known name closest to `name`, or undefined if none is close. */
export function suggestField(name: string, known: readonly string[]): string | undefined {
  const wanted = normalize(name);
  const same = known.find((field) => normalize(field) === wanted);
  if (same !== undefined) return same;
  const former = FORMER_NAMES[wanted];
  if (former !== undefined && known.includes(former)) return former;
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.floor(wanted.length / 3));
  for (const field of known) {
    const distance = editDistance(wanted, normalize(field));
    if (distance <= bestDistance) {
      best = field;
      bestDistance = distance - 1;
    }
  }
  return best;
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, "");
}

// Levenshtein distance: the fewest single-letter insertions, deletions and changes from a to b.
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const change = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(change, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
