// The child's end of the IPC channel: what the master may tell it, as a table, and what it tells the
// master. Messages that are not drover's (the app's own) or not well formed are ignored.
import { type ChildMessage, isMasterMessage, type MasterMessage } from "../protocol/messages.ts";

type Handlers = {
  readonly [Tag in MasterMessage["drover"]]: (message: Extract<MasterMessage, { drover: Tag }>) => void;
};

export function listenToMaster(handlers: Handlers): void {
  process.on("message", (message: unknown) => {
    if (!isMasterMessage(message)) return;
    (handlers[message.drover] as (message: MasterMessage) => void)(message);
  });
}

/** Sends `message` if the channel is open; `sent` runs once it is written (or at once if it cannot be). */
export function tellMaster(message: ChildMessage, sent?: () => void): void {
  if (process.connected && process.send) process.send(message, undefined, undefined, () => sent?.());
  else sent?.();
}
