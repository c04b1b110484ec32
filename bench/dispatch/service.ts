// The bench's drover service: the shared methods, run in drones.
import { defineService } from "../../src/service/define.ts";
import { methods } from "./work.ts";

export default defineService({ methods });
