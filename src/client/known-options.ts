// An option the client does not know is refused, not ignored: a typo (`tiemout`) would otherwise
// leave a call with the default budget and nobody told. Said with the option it most likely meant.
import { suggestField } from "../config/suggest.ts";
import { ErrorCode } from "../errors.ts";
import { DispatchError } from "./errors.ts";

/** Throws DISPATCH_BAD_MESSAGE when `options` (of `where`) has a key not in `known`. */
export function checkKnown(options: object, known: readonly string[], where: string): void {
  for (const key in options) {
    if (known.includes(key)) continue;
    const near = suggestField(key, known);
    throw new DispatchError(
      ErrorCode.DISPATCH_BAD_MESSAGE,
      `${where} has no option "${key}": ${near === undefined ? `its options are ${known.join(", ")}` : `did you mean "${near}"?`}; nothing was sent`,
    );
  }
}
