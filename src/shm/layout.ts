// What the caller says the payload holds; the native header records it and open() checks it.

/** `tag` names the layout (a u32, e.g. 0x53434244 "SCBD"); `version` is its revision (a u32). */
export interface ShmLayout {
  readonly tag: number;
  readonly version: number;
}
