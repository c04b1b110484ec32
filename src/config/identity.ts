// The user and group children run as: read from the config and looked up by name or id as the system
// resolves them, through getent (which follows nsswitch.conf, so LDAP and similar accounts are found),
// or by reading /etc/passwd and /etc/group where getent does not exist.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describeValue } from "./errors.ts";
import type { ConfigProblem } from "./types/problem.ts";
import type { Identity } from "./types/resolved-config.ts";

export interface UserAccount {
  readonly id: number;
  readonly name: string;
  /** The user's primary group. */
  readonly groupId: number;
}

export interface GroupAccount {
  readonly id: number;
  readonly name: string;
}

/** The user account with this name or id, or undefined if there is none. */
function findUser(nameOrId: string | number): UserAccount | undefined {
  const fields = findEntry("passwd", "/etc/passwd", nameOrId);
  if (fields === undefined) return undefined;
  return { name: fields[0] ?? "", id: Number(fields[2]), groupId: Number(fields[3]) };
}

/** The group with this name or id, or undefined if there is none. */
function findGroup(nameOrId: string | number): GroupAccount | undefined {
  const fields = findEntry("group", "/etc/group", nameOrId);
  if (fields === undefined) return undefined;
  return { name: fields[0] ?? "", id: Number(fields[2]) };
}

// The colon-separated fields of the entry: name, password, id, then the rest.
function findEntry(database: string, file: string, nameOrId: string | number): string[] | undefined {
  const key = String(nameOrId);
  if (key === "" || key.includes(":") || key.includes("\n")) return undefined;
  let lines: string[];
  try {
    lines = execFileSync("getent", [database, key], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 10_000,
    }).split("\n");
  } catch (error) {
    // getent exits 2 when the key is not found; anything else means it could not answer.
    if ((error as { status?: number }).status === 2) return undefined;
    lines = readLines(file);
  }
  const byId = /^\d+$/.test(key);
  for (const line of lines) {
    const fields = line.split(":");
    if (fields.length >= 3 && /^\d+$/.test(fields[2] ?? "") && (byId ? fields[2] : fields[0]) === key) {
      return fields;
    }
  }
  return undefined;
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n");
  } catch {
    return [];
  }
}

interface Account extends Identity {
  readonly groupId: number | undefined;
}

/**
 * Reads the user and group fields. An unknown name is a problem; an id with no account is allowed (as
 * Apache's "User #1234"). Without a group, the user's primary group is used: children must not keep
 * the master's group.
 */
export function readUserAndGroup(
  userValue: unknown,
  groupValue: unknown,
  problems: ConfigProblem[],
): { user: Identity | undefined; group: Identity | undefined } {
  const user = readAccount("user", userValue, problems);
  return {
    user: user === undefined ? undefined : { id: user.id, name: user.name },
    group: readGroup(groupValue, user, problems),
  };
}

function readAccount(
  field: "user" | "group",
  value: unknown,
  problems: ConfigProblem[],
): Account | undefined {
  if (value === undefined) return undefined;
  const id =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\d+$/.test(value)
        ? Number(value)
        : undefined;
  if (id !== undefined) {
    if (!Number.isSafeInteger(id) || id < 0 || id > 0xffff_fffe) {
      problems.push({
        field,
        reason: `must be a ${field} name or a numeric id, got ${describeValue(value)}`,
      });
      return undefined;
    }
    return lookUp(field, id) ?? { id, name: undefined, groupId: undefined };
  }
  if (typeof value !== "string" || value.trim() === "") {
    problems.push({ field, reason: `must be a ${field} name or a numeric id, got ${describeValue(value)}` });
    return undefined;
  }
  const found = lookUp(field, value);
  if (found === undefined) {
    problems.push({
      field,
      reason: `names no ${field} account on this machine, got ${describeValue(value)}: check the name, or give a numeric id`,
    });
    return undefined;
  }
  return found;
}

function lookUp(field: "user" | "group", key: string | number): Account | undefined {
  if (field === "user") {
    const user = findUser(key);
    return user && { id: user.id, name: user.name, groupId: user.groupId };
  }
  const group = findGroup(key);
  return group && { id: group.id, name: group.name, groupId: undefined };
}

function readGroup(
  value: unknown,
  user: Account | undefined,
  problems: ConfigProblem[],
): Identity | undefined {
  const group = readAccount("group", value, problems);
  if (group !== undefined) return { id: group.id, name: group.name };
  if (value !== undefined || user === undefined) return undefined;
  if (user.groupId === undefined) {
    problems.push({
      field: "group",
      reason: `is needed because user ${user.id} has no account to take a group from: give a group name or id`,
    });
    return undefined;
  }
  return { id: user.groupId, name: findGroup(user.groupId)?.name };
}
