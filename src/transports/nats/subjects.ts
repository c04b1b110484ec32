// The subjects of the NATS transport besides a service's own `<subject>.<method>`: a session's, on
// which only the master holding it listens (so a call to a session that ended meets no responder at
// once, never a drone that now serves someone else), and the one cancels go to, heard by every master.

/** Where a session's calls go: `<sessionSubject>.<method>`, and `<sessionSubject>.$close` ends it. */
export function sessionSubject(session: string): string {
  return `_DROVER.session.${session}`;
}

/** The token after a service's subject that opens a session; `$` keeps it apart from method names. */
export const OPEN_TOKEN = "$open";

/** The token that closes a session. */
export const CLOSE_TOKEN = "$close";

/** Every master listens here; a cancel names the call by its reply subject (header Drover-Call). */
export const CANCEL_SUBJECT = "_DROVER.cancel";
