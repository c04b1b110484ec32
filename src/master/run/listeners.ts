// The master's listening sockets: bound once, before any child exists (so privileged ports work and
// ports survive every restart), handed to each child at spawn, closed only when the master stops.
import { lookup } from "node:dns/promises";
import { chmodSync, lstatSync, rmSync, unlinkSync } from "node:fs";
import { connect } from "node:net";
import { formatListener } from "../../config/listen.ts";
import type { Listener } from "../../config/types/resolved-config.ts";
import { DroverError, ErrorCode } from "../../errors.ts";
import { LISTEN_BACKLOG, sockets } from "../../net/sockets.ts";
import { type PassedSocket, passedFor, unmatchedPassed } from "../../systemd/activation.ts";

/** A listening socket the master holds. */
export interface OpenListener {
  readonly listener: Listener;
  readonly fd: number;
  /** "127.0.0.1:8080" or the socket path, with the real port when 0 was asked for. */
  readonly address: string;
  /**
   * Passed by systemd (socket activation), which keeps its own copy: never closed by a reload, and
   * its socket file is systemd's, never removed by drover.
   */
  readonly adopted?: PassedSocket;
}

/**
 * Opens every listener, or none: on a failure the ones already open are closed again. A listener
 * that one of the `passed` sockets serves (see passedFor) takes that socket instead of being bound;
 * a passed socket that no listener takes fails the whole (DROVER_ERR_LISTEN_ACTIVATION).
 */
export async function openListeners(
  listeners: readonly Listener[],
  passed: readonly PassedSocket[] = [],
): Promise<OpenListener[]> {
  const opened: OpenListener[] = [];
  const left = new Set(passed);
  try {
    for (const listener of listeners) {
      const host = listener.kind === "tcp" ? await numericHost(listener.host) : undefined;
      const socket = passedFor(listener, host, left);
      if (socket === undefined) {
        opened.push(await openListener(listener, host));
        continue;
      }
      left.delete(socket);
      const address = listener.kind === "unix" ? listener.path : formatListener(socket.bound);
      opened.push({ listener, fd: socket.fd, address, adopted: socket });
    }
    if (left.size > 0) throw unmatchedPassed([...left], listeners);
    return opened;
  } catch (error) {
    closeListeners(opened);
    throw error;
  }
}

// Listeners already closed: closing one twice could close a descriptor the number has been reused for.
const closed = new WeakSet<OpenListener>();

/**
 * Closes the descriptors and removes the unix socket files the master created. Each step is on its
 * own: a socket file someone already removed, or one that fails, does not keep the rest open. With
 * `keepFiles` (a master that handed its sockets to a new one) no socket file is removed.
 */
export function closeListeners(listeners: readonly OpenListener[], keepFiles = false): void {
  for (const open of listeners) {
    if (closed.has(open)) continue;
    closed.add(open);
    try {
      sockets().closeFd(open.fd);
    } finally {
      if (open.listener.kind === "unix" && !open.adopted && !keepFiles)
        rmSync(open.listener.path, { force: true });
    }
  }
}

async function openListener(listener: Listener, numeric: string | undefined): Promise<OpenListener> {
  if (listener.kind === "unix") {
    await removeStaleSocket(listener.path);
    const fd = guard(listener.path, () => sockets().listenUnix(listener.path, LISTEN_BACKLOG));
    // Clients (a reverse proxy) connect to the file: the owner and its group may. The children accept
    // on the inherited descriptor and never open the file.
    return afterBind(fd, listener, () => {
      chmodSync(listener.path, 0o660);
      return { listener, fd, address: listener.path };
    });
  }
  const host = numeric ?? (await numericHost(listener.host));
  const fd = guard(`${listener.host}:${listener.port}`, () =>
    sockets().listenTcp(host, listener.port, LISTEN_BACKLOG, false),
  );
  return afterBind(fd, listener, () => {
    const port = sockets().localPort(fd);
    return { listener, fd, address: host.includes(":") ? `[${host}]:${port}` : `${host}:${port}` };
  });
}

// What follows a successful bind must not leak the descriptor when it throws (review D18).
function afterBind(fd: number, listener: Listener, finish: () => OpenListener): OpenListener {
  try {
    return finish();
  } catch (error) {
    sockets().closeFd(fd);
    if (listener.kind === "unix") rmSync(listener.path, { force: true });
    throw error;
  }
}

async function numericHost(host: string): Promise<string> {
  try {
    return (await lookup(host, { verbatim: true })).address;
  } catch (cause) {
    throw new DroverError(
      ErrorCode.LISTEN_FAILED,
      `cannot listen on host "${host}": it does not resolve (${(cause as Error).message}); use an IP address or a name in /etc/hosts.`,
      { cause },
    );
  }
}

/** A socket file left by a master that died is removed; one that a live server answers on is not. */
async function removeStaleSocket(path: string): Promise<void> {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isSocket()) {
    throw new DroverError(
      ErrorCode.LISTEN_FAILED,
      `cannot listen on ${path}: a file that is not a socket is in the way; remove it or choose another path.`,
    );
  }
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (alive) {
    throw new DroverError(
      ErrorCode.LISTEN_IN_USE,
      `cannot listen on ${path}: another server is answering on it; stop it or choose another path.`,
    );
  }
  unlinkSync(path);
}

function guard(where: string, open: () => number): number {
  try {
    return open();
  } catch (cause) {
    // Already one of drover's own (the addon that cannot load): not a listen error.
    if (cause instanceof DroverError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new DroverError(
        ErrorCode.LISTEN_IN_USE,
        `cannot listen on ${where}: the address is already in use; stop what holds it (\`ss -ltnp\` shows it) or choose another.`,
        { cause },
      );
    }
    if (code === "EACCES" || code === "EPERM") {
      throw new DroverError(
        ErrorCode.LISTEN_PERMISSION,
        `cannot listen on ${where}: permission denied; ports below 1024 need drover to start as root (set user/group to drop privileges in the children) or CAP_NET_BIND_SERVICE.`,
        { cause },
      );
    }
    throw new DroverError(
      ErrorCode.LISTEN_FAILED,
      `cannot listen on ${where}: ${(cause as Error).message}; check the address in the listen setting.`,
      { cause },
    );
  }
}

/** The listeners `wanted` needs: those already in `open` are kept, the others are opened. */
export async function reuseListeners(
  open: readonly OpenListener[],
  wanted: readonly Listener[],
): Promise<OpenListener[]> {
  const find = (pool: readonly OpenListener[], listener: Listener) =>
    pool.find((o) => sameListener(o.listener, listener));
  const opened = await openListeners(wanted.filter((listener) => !find(open, listener)));
  return wanted.map((listener) => (find(open, listener) ?? find(opened, listener)) as OpenListener);
}

/**
 * Closes the listeners of `from` that `to` does not use. Sockets systemd passed stay open (a later
 * reload may name them again, and systemd keeps their port bound anyway); they close with the master.
 */
export function closeUnused(from: readonly OpenListener[], to: readonly OpenListener[]): void {
  closeListeners(from.filter((listener) => !to.includes(listener) && !listener.adopted));
}

function sameListener(a: Listener, b: Listener): boolean {
  return a.kind === "unix"
    ? b.kind === "unix" && a.path === b.path
    : b.kind === "tcp" && a.host === b.host && a.port === b.port;
}
