// The relay's child: answers every frame on its fd 3 (a socketpair to the relay) with itself, its kind
// turned to RESULT. It exits when the relay closes the pipe or goes.
import { Socket } from "node:net";
import { answerInPlace, wholeFrames } from "./whole-frames.ts";

const pipe = new Socket({ fd: 3, readable: true, writable: true });
pipe.on(
  "data",
  wholeFrames((frames) => pipe.write(answerInPlace(frames))),
);
pipe.on("close", () => process.exit(0));
pipe.on("error", () => process.exit(0));
