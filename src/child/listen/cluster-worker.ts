// While a drover child loads the app, node:cluster says "worker", as it does in a PM2 or node:cluster
// worker: an app that forks its own workers when it is the primary (`if (cluster.isPrimary)
// cluster.fork(); else app.listen(3000)`) takes its worker branch, and drover serves the server that
// branch listens with. There is no cluster primary to talk to: `cluster.worker` stays undefined, and a
// server the app binds itself meanwhile (see listen-capture.ts) gets its handle made here, with Node's
// own functions, as a primary would make it. Once the module has loaded, node:cluster is as it was.
import cluster from "node:cluster";
import dgram from "node:dgram";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";

/** What a cluster worker's net.Server or dgram.Socket asks its primary for. */
interface ServerQuery {
  readonly address: string | null;
  readonly port: number | null;
  readonly addressType: number | string | null;
  readonly fd: number | null | undefined;
  readonly flags: number | undefined;
}

type MakeHandle = (
  address: string | null,
  port: number | null,
  addressType: number | string | null,
  fd: number | null | undefined,
  flags: number | undefined,
) => unknown;

/** Makes node:cluster say "worker"; returns what puts it back. */
export function actAsClusterWorker(): () => void {
  const own = cluster as unknown as Record<string, unknown>;
  const saved = { isPrimary: own.isPrimary, isMaster: own.isMaster, isWorker: own.isWorker };
  Object.assign(own, { isPrimary: false, isMaster: false, isWorker: true, _getServer: getServerHere });
  // `import { isPrimary } from "node:cluster"` reads the exports as they are now.
  syncBuiltinESMExports();
  return () => {
    Object.assign(own, saved);
    delete own._getServer;
    syncBuiltinESMExports();
  };
}

// A handle, or an errno (a negative number) as Node's own makers return one.
function getServerHere(
  _server: unknown,
  query: ServerQuery,
  callback: (errno: number, handle: unknown) => void,
): void {
  const udp = query.addressType === "udp4" || query.addressType === "udp6";
  const make = udp
    ? (dgram as unknown as { _createSocketHandle: MakeHandle })._createSocketHandle
    : (net as unknown as { _createServerHandle: MakeHandle })._createServerHandle;
  const handle = make(query.address, query.port, query.addressType, query.fd, query.flags);
  if (typeof handle === "number") callback(handle, null);
  else callback(0, handle);
}
