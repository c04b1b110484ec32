// The prebuilt addons drover ships: Linux x64 and arm64, each for glibc and musl, cross-compiled on an
// x86-64 Debian host with Debian's own toolchains. musl is chosen with musl-dev's gcc specs file (what
// musl-gcc does), with the triplet's gcc, so the same recipe serves both architectures.

export type Arch = "x64" | "arm64";
export type Libc = "glibc" | "musl";

export interface PrebuildTarget {
  /** Node's name for it (process.arch), as in prebuilds/linux-<arch>/. */
  readonly arch: Arch;
  readonly libc: Libc;
  /** The compiler and the flags that choose the libc, for node-gyp's CC and LINK. */
  readonly cc: readonly string[];
  readonly strip: string;
  /**
   * Where the kernel's headers for this arch are (linux/, asm/, asm-generic/). musl's sysroot has none,
   * and futex.c needs linux/futex.h: the musl builds get these folders, and only these, added.
   */
  readonly kernelHeaders: { readonly linux: string; readonly asm: string; readonly asmGeneric: string };
  /** The libc the addon's symbols must all be found in (or be N-API's, which Node provides). */
  readonly libcFile: string;
  /** How to get the tools on Debian when one is missing. */
  readonly debian: string;
}

const x64Headers = {
  linux: "/usr/include/linux",
  asm: "/usr/include/x86_64-linux-gnu/asm",
  asmGeneric: "/usr/include/asm-generic",
};
const arm64Headers = {
  linux: "/usr/aarch64-linux-gnu/include/linux",
  asm: "/usr/aarch64-linux-gnu/include/asm",
  asmGeneric: "/usr/aarch64-linux-gnu/include/asm-generic",
};

export const TARGETS: readonly PrebuildTarget[] = [
  {
    arch: "x64",
    libc: "glibc",
    cc: ["x86_64-linux-gnu-gcc"],
    strip: "x86_64-linux-gnu-strip",
    kernelHeaders: x64Headers,
    libcFile: "/lib/x86_64-linux-gnu/libc.so.6",
    debian: "apt-get install gcc binutils",
  },
  {
    arch: "x64",
    libc: "musl",
    cc: ["x86_64-linux-gnu-gcc", "-specs", "/usr/lib/x86_64-linux-musl/musl-gcc.specs"],
    strip: "x86_64-linux-gnu-strip",
    kernelHeaders: x64Headers,
    libcFile: "/usr/lib/x86_64-linux-musl/libc.so",
    debian: "apt-get install musl-dev linux-libc-dev",
  },
  {
    arch: "arm64",
    libc: "glibc",
    cc: ["aarch64-linux-gnu-gcc"],
    strip: "aarch64-linux-gnu-strip",
    kernelHeaders: arm64Headers,
    libcFile: "/usr/aarch64-linux-gnu/lib/libc.so.6",
    debian: "apt-get install gcc-aarch64-linux-gnu",
  },
  {
    arch: "arm64",
    libc: "musl",
    // Inline atomics: gcc's outline ones (libgcc) call glibc's __getauxval, which musl does not export.
    cc: [
      "aarch64-linux-gnu-gcc",
      "-specs",
      "/usr/lib/aarch64-linux-musl/musl-gcc.specs",
      "-mno-outline-atomics",
    ],
    strip: "aarch64-linux-gnu-strip",
    kernelHeaders: arm64Headers,
    libcFile: "/usr/lib/aarch64-linux-musl/libc.so",
    debian:
      "dpkg --add-architecture arm64 && apt-get update && apt-get install gcc-aarch64-linux-gnu musl-dev:arm64",
  },
];

/** The file node-gyp-build picks for a target: runtime "node" with N-API (any Node version), then the libc. */
export function prebuildPath(target: Pick<PrebuildTarget, "arch" | "libc">): string {
  return `prebuilds/linux-${target.arch}/node.napi.${target.libc}.node`;
}

/**
 * The newest glibc symbol version the glibc prebuilds may need: 2.34 (pthread in libc) is what Debian 12's
 * toolchain gives. An older glibc gets a build from source at install; a newer floor must be a choice.
 */
export const GLIBC_FLOOR = "2.34";
