// Started as root with user/group set, a child gives up root before it runs any app code.

/** Switches to `gid` then `uid` (in that order: once the uid is dropped, the gid cannot change). */
export function dropPrivileges(uid: number | undefined, gid: number | undefined): void {
  if (gid !== undefined) {
    process.setgroups?.([gid]);
    process.setgid?.(gid);
  }
  if (uid !== undefined) process.setuid?.(uid);
}
