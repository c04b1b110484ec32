// What is wrong with a built addon for its target, from readelf's facts alone (no sysroot needed): the
// prebuild script checks every binary it makes with this, and the test every committed one.
import { compareVersions, type ElfFacts } from "./elf.ts";
import { GLIBC_FLOOR, type PrebuildTarget } from "./targets.ts";

/** Each thing that keeps `facts` from being the target's addon; empty when it is. */
export function targetProblems(target: PrebuildTarget, facts: ElfFacts): string[] {
  const problems = [
    facts.arch !== target.arch && `its machine is ${facts.arch}, not ${target.arch}`,
    facts.libc !== target.libc && `it links against ${facts.libc} libc, not ${target.libc}`,
    !facts.napiEntry && "it exports no napi_register_module_v1, so Node cannot load it as an addon",
    facts.glibcFloor !== undefined &&
      compareVersions(facts.glibcFloor, GLIBC_FLOOR) > 0 &&
      `it needs glibc ${facts.glibcFloor}, newer than the ${GLIBC_FLOOR} drover's prebuilds promise`,
  ];
  return problems.filter((problem): problem is string => typeof problem === "string");
}
