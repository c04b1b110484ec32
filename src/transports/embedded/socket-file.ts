// The service socket's file: owner-only from the moment it exists, as the control socket's
// (src/master/control/control-server.ts, whose approach this copies): bound in a fresh 0700 folder beside
// its path, made 0600 there, then renamed into place over whatever was there (a stale socket left by a
// master that was killed). Removed on close only while it is still ours.
import { chmodSync, lstatSync, mkdtempSync, renameSync, rmSync, unlinkSync } from "node:fs";
import type { Server } from "node:net";
import { dirname, join } from "node:path";

export interface SocketFile {
  readonly dev: number;
  readonly ino: number;
}

/** Listens on `path` with mode 0600, replacing what is there. */
export async function listenOwnerOnly(server: Server, path: string): Promise<SocketFile> {
  const hideout = mkdtempSync(join(dirname(path), ".d"));
  const temporary = join(hideout, "s");
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(temporary, () => {
        server.off("error", reject);
        resolve();
      });
    });
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
    const { dev, ino } = lstatSync(path);
    return { dev, ino };
  } catch (error) {
    server.close();
    throw error;
  } finally {
    rmSync(hideout, { recursive: true, force: true });
  }
}

/** Removes `path` if it is still the socket `file` (a master started since may have put its own there). */
export function removeIfOurs(path: string, file: SocketFile): void {
  try {
    const { dev, ino } = lstatSync(path);
    if (dev === file.dev && ino === file.ino) unlinkSync(path);
  } catch {
    // Already gone.
  }
}
