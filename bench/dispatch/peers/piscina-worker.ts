// piscina's worker module: each method is a named export (`run(params, { name })` picks it).
export { add, spin, who } from "../work.ts";
