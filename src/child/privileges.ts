// Started as root with user/group set, a child gives up root before it runs any app code.

// Node has process.initgroups on POSIX; its type definitions leave it out.
type WithInitgroups = NodeJS.Process & {
  initgroups?: (user: string | number, extraGroup: string | number) => void;
};

/**
 * Switches to `gid` then `uid` (in that order: once the uid is dropped, the gid cannot change). With
 * the user's name, its supplementary groups are taken from the account database, as Apache does
 * (initgroups); without one (an id with no account), the group is the only one.
 */
export function dropPrivileges(uid: number | undefined, gid: number | undefined, userName?: string): void {
  if (gid !== undefined) {
    const withInitgroups = process as WithInitgroups;
    if (userName !== undefined && withInitgroups.initgroups) withInitgroups.initgroups(userName, gid);
    else process.setgroups?.([gid]);
    process.setgid?.(gid);
  }
  if (uid !== undefined) process.setuid?.(uid);
}
