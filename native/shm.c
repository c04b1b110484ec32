// drover_shm: shared memory as sealed memfds, mapped into an ArrayBuffer that several processes share.
// Node has no cross-process shared memory; this is the whole of what drover needs.
//
// A segment is an anonymous file (memfd_create): it has no name in any directory, so nothing is ever
// left in /dev/shm, and it lives exactly as long as some process holds its descriptor or a mapping
// of it. The creator sizes it, reserves its pages, and seals it against shrinking and growing before
// anyone else can see it; children get the descriptor at spawn, and `drover status` reopens it
// through /proc/<master>/fd/<n>. A process that could truncate a MAP_SHARED file would make every
// other mapper's next access to the lost pages fault (SIGBUS): the seals make that impossible, even
// for root, even for the creator.
//
// File format: a 64-byte header, then the payload. JavaScript only ever sees the payload.
//
//   offset  size  field
//        0     8  magic "DROVERSM"          (refuses files that are not ours)
//        8     4  header size (64)          (refuses headers from an incompatible addon)
//       12     4  layout tag                (chosen by the caller: which layout the payload has)
//       16     4  layout version            (chosen by the caller: which revision of that layout)
//       20     4  creator pid
//       24     8  payload size              (must agree with the file size)
//       32    32  reserved, zero
//
// Numbers are in host byte order: the file never leaves the machine that made it.
//
// Exports (the TypeScript wrapper in src/shm/ is the only caller; it validates arguments first):
//   create(name, size, tag, version) -> segment with `fd` (close-on-exec, the caller's to close)
//   map(fd, tag, version)            -> segment (the descriptor stays the caller's)
//   close(segment)                   -> true if this call unmapped the memory
//   HEADER_SIZE
// A segment is a plain object { buffer, size, pid[, fd] } that also carries the native state.
//
// Errors are JS Errors with `code` (an errno name such as "ENOSPC", or "FOREIGN", "LAYOUT", "SIZE",
// "NOTREG", "UNSEALED", "EINVAL"), `syscall` and `errno` (0 for the non-errno reasons).

#define _GNU_SOURCE  // memfd_create, F_ADD_SEALS and F_GET_SEALS (Linux)

#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "errors.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U  // Linux 6.3: never executable (older C headers lack the name)
#endif

#define HEADER_SIZE 64
// memfd_create refuses longer names (NAME_MAX less the "memfd:" prefix).
#define MAX_NAME 249
static const char MAGIC[8] = {'D', 'R', 'O', 'V', 'E', 'R', 'S', 'M'};
// What map() insists on: without these, a holder of the descriptor could change the size under us.
static const int REQUIRED_SEALS = F_SEAL_SHRINK | F_SEAL_GROW;

typedef struct {
  char magic[8];
  uint32_t header_size;
  uint32_t tag;
  uint32_t version;
  uint32_t creator_pid;
  uint64_t payload_size;
  uint8_t reserved[32];
} shm_header;

_Static_assert(sizeof(shm_header) == HEADER_SIZE, "the header is 64 bytes");
// The payload starts HEADER_SIZE bytes into a page-aligned mapping, so it is 64-byte aligned: any
// typed array (and any Atomics operation) can be laid over it at its natural alignment.
_Static_assert(HEADER_SIZE % 64 == 0, "the payload stays 64-byte aligned");

// The native state of one mapping. Two things refer to it: the segment object (napi_wrap) and the
// ArrayBuffer (its finalizer). Each drops one reference when the garbage collector frees it; the
// struct is freed when both have. The memory is unmapped once, by whichever comes first: close() or
// the ArrayBuffer's finalizer. Everything here runs on the JS thread that created the segment
// (Node runs both kinds of finalizer on that thread), so a plain int is enough.
typedef struct {
  uint8_t *base;  // start of the mapping (the header); NULL once unmapped
  size_t length;  // bytes mapped: header + payload
  int refs;
} segment;

// Lets close() tell our segment objects from anything else passed in.
static const napi_type_tag SEGMENT_TAG = {0x64726f7665727368ULL, 0x6d5365676d656e74ULL};

static void segment_release(segment *seg) {
  if (--seg->refs == 0) free(seg);
}

static void segment_unmap(segment *seg) {
  if (seg->base == NULL) return;  // already unmapped: never munmap twice
  munmap(seg->base, seg->length);
  seg->base = NULL;
}

// For a descriptor that is fine as a descriptor but not what the caller asked for.
static void throw_reason(napi_env env, const char *reason, const char *message) {
  throw_error(env, reason, 0, "map", NULL, message);
}

// --- arguments ----------------------------------------------------------------------------------

// The memfd's name: shown in /proc/<pid>/fd and /proc/<pid>/maps, which is how `drover status` and
// an operator find a segment.
static bool get_name(napi_env env, napi_value value, char *out, size_t size) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, out, size, &length) != napi_ok) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "name must be a string");
    return false;
  }
  // An embedded NUL would silently cut the name short; napi truncates one that does not fit.
  if (length == 0 || length >= size - 1 || strlen(out) != length) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "name must be 1 to 249 bytes without a NUL byte");
    return false;
  }
  return true;
}

// An integer in [min, max]. Doubles carry every integer up to 2^53 exactly, far above any limit here.
static bool get_integer(napi_env env, napi_value value, double min, double max, const char *what,
                        uint64_t *out) {
  double number = 0;
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= min && number <= max) ||
      number != (double)(uint64_t)number) {
    char message[128];
    snprintf(message, sizeof message, "%s must be an integer from %.0f to %.0f", what, min, max);
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, message);
    return false;
  }
  *out = (uint64_t)number;
  return true;
}


// --- segment objects ----------------------------------------------------------------------------

static void finalize_buffer(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  segment *seg = hint;
  segment_unmap(seg);  // the ArrayBuffer is unreachable: nothing can touch the memory any more
  segment_release(seg);
}

static void finalize_object(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  segment_release(data);
}

// Wraps a fresh mapping into { buffer, size, pid } (and `fd` when fd >= 0). On failure the mapping is
// unmapped (now, or by the ArrayBuffer's finalizer); the descriptor stays the caller's to close.
static napi_value make_segment(napi_env env, uint8_t *base, size_t length, uint32_t pid, int fd) {
  segment *seg = calloc(1, sizeof *seg);
  if (seg == NULL) {
    munmap(base, length);
    throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  seg->base = base;
  seg->length = length;

  // The ArrayBuffer covers the payload only: JS cannot overwrite the header by mistake.
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, base + HEADER_SIZE, length - HEADER_SIZE, finalize_buffer, seg,
                                       &buffer) != napi_ok) {
    segment_unmap(seg);
    free(seg);
    // e.g. napi_no_external_buffers_allowed, on runtimes built with the V8 sandbox
    napi_throw_error(env, "ENAPI", "this Node.js does not allow external ArrayBuffers");
    return NULL;
  }
  seg->refs = 1;  // the ArrayBuffer's

  napi_value object, size, creator, descriptor;
  // From here on, a failure leaves the struct to the ArrayBuffer's finalizer (refs is 1).
  NAPI_CHECK(env, napi_create_object(env, &object));
  NAPI_CHECK(env, napi_create_double(env, (double)(length - HEADER_SIZE), &size));
  NAPI_CHECK(env, napi_create_uint32(env, pid, &creator));
  NAPI_CHECK(env, napi_create_int32(env, fd, &descriptor));
  // Read-only and non-configurable: close() trusts `buffer` to be the ArrayBuffer it made.
  napi_property_descriptor props[] = {
      {"buffer", NULL, NULL, NULL, NULL, buffer, napi_enumerable, NULL},
      {"size", NULL, NULL, NULL, NULL, size, napi_enumerable, NULL},
      {"pid", NULL, NULL, NULL, NULL, creator, napi_enumerable, NULL},
      {"fd", NULL, NULL, NULL, NULL, descriptor, napi_enumerable, NULL},
  };
  NAPI_CHECK(env, napi_define_properties(env, object, fd >= 0 ? 4 : 3, props));
  NAPI_CHECK(env, napi_wrap(env, object, seg, finalize_object, NULL, NULL));
  seg->refs = 2;  // and the object's
  NAPI_CHECK(env, napi_type_tag_object(env, object, &SEGMENT_TAG));
  return object;
}

// The segment behind a value created by make_segment, or NULL with a TypeError thrown.
static segment *unwrap_segment(napi_env env, napi_value value) {
  bool ours = false;
  void *seg = NULL;
  if (napi_check_object_type_tag(env, value, &SEGMENT_TAG, &ours) != napi_ok || !ours ||
      napi_unwrap(env, value, &seg) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "not a drover shm segment");
    return NULL;
  }
  return seg;
}

// --- create -------------------------------------------------------------------------------------

// A new memfd that can be sealed, and that nobody can ever execute where the kernel offers that.
static int new_memfd(const char *name) {
  int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
  if (fd < 0 && errno == EINVAL) fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);  // before 6.3
  return fd;
}

// Nobody else holds the descriptor until create() returns it, so the size is final and sealed before
// any other process can see the file, and the header is written before anyone can read it.
static napi_value js_create(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  char name[MAX_NAME + 2];
  uint64_t payload, tag, version;
  if (!get_arguments(env, info, 4, argv) || !get_name(env, argv[0], name, sizeof name) ||
      !get_integer(env, argv[1], 1, (double)(SIZE_MAX / 2), "size", &payload) ||
      !get_integer(env, argv[2], 0, UINT32_MAX, "tag", &tag) ||
      !get_integer(env, argv[3], 0, UINT32_MAX, "version", &version))
    return NULL;
  size_t length = HEADER_SIZE + (size_t)payload;

  int fd = new_memfd(name);
  if (fd < 0) {
    throw_errno(env, errno, "memfd_create", NULL);
    return NULL;
  }
  const char *syscall = NULL;
  int err = 0;
  uint8_t *base = MAP_FAILED;
  if (ftruncate(fd, (off_t)length) != 0) {
    syscall = "ftruncate";
    err = errno;
  } else if ((err = posix_fallocate(fd, 0, (off_t)length)) != 0) {
    // Reserving the pages now turns a lack of memory into ENOSPC or ENOMEM here, instead of a SIGBUS
    // on the first write to a page that cannot be backed.
    syscall = "posix_fallocate";
  } else if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    // F_SEAL_SEAL: nobody can add F_SEAL_WRITE later, which would make the mapping read-only.
    syscall = "fcntl(F_ADD_SEALS)";
    err = errno;
  } else if ((base = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
    syscall = "mmap";
    err = errno;
  }
  if (err != 0) {
    close(fd);
    throw_errno(env, err, syscall, NULL);
    return NULL;
  }
  shm_header *header = (shm_header *)base;  // the file is fresh: all zero
  memcpy(header->magic, MAGIC, sizeof MAGIC);
  header->header_size = HEADER_SIZE;
  header->tag = (uint32_t)tag;
  header->version = (uint32_t)version;
  header->creator_pid = (uint32_t)getpid();
  header->payload_size = payload;
  napi_value result = make_segment(env, base, length, (uint32_t)getpid(), fd);
  if (result == NULL) close(fd);  // the mapping went with make_segment's failure; nothing is left
  return result;
}

// --- map ----------------------------------------------------------------------------------------

// Maps a descriptor another process made (inherited at spawn, or reopened through /proc). Refuses
// anything that is not a drover memfd sealed against resizing, of the expected layout.
static napi_value js_map(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char message[256];
  uint64_t fd_arg, tag, version;
  if (!get_arguments(env, info, 3, argv) || !get_integer(env, argv[0], 0, INT32_MAX, "fd", &fd_arg) ||
      !get_integer(env, argv[1], 0, UINT32_MAX, "tag", &tag) ||
      !get_integer(env, argv[2], 0, UINT32_MAX, "version", &version))
    return NULL;
  int fd = (int)fd_arg;

  struct stat st;
  shm_header header;
  ssize_t got = 0;
  int seals = 0;
  if (fstat(fd, &st) != 0) {
    throw_errno(env, errno, "fstat", NULL);
    return NULL;
  }
  if (!S_ISREG(st.st_mode)) {
    throw_reason(env, "NOTREG", "not a regular file (a socket, pipe, directory or device)");
    return NULL;
  }
  // The seals first: only once the size can no longer change does checking it mean anything.
  if ((seals = fcntl(fd, F_GET_SEALS)) < 0 || (seals & REQUIRED_SEALS) != REQUIRED_SEALS) {
    if (seals < 0)
      snprintf(message, sizeof message, "not a memfd: a file that can be truncated under the mapping");
    else
      snprintf(message, sizeof message, "a memfd without the shrink and grow seals (seals 0x%x)", seals);
    throw_reason(env, "UNSEALED", message);
    return NULL;
  }
  if (st.st_size < HEADER_SIZE || (got = pread(fd, &header, sizeof header, 0)) != HEADER_SIZE ||
      memcmp(header.magic, MAGIC, sizeof MAGIC) != 0) {
    if (got < 0) {
      throw_errno(env, errno, "pread", NULL);
    } else {
      snprintf(message, sizeof message, "no drover header (%lld bytes, magic %s)", (long long)st.st_size,
               st.st_size < HEADER_SIZE ? "absent" : "wrong");
      throw_reason(env, "FOREIGN", message);
    }
    return NULL;
  }
  if (header.header_size != HEADER_SIZE || header.tag != tag || header.version != version) {
    snprintf(message, sizeof message,
             "layout tag 0x%08x version %u header %u bytes; expected tag 0x%08x version %u header %u bytes",
             header.tag, header.version, header.header_size, (uint32_t)tag, (uint32_t)version, HEADER_SIZE);
    throw_reason(env, "LAYOUT", message);
    return NULL;
  }
  if (header.payload_size == 0 || header.payload_size != (uint64_t)st.st_size - HEADER_SIZE) {
    snprintf(message, sizeof message, "header says %llu payload bytes, the file holds %lld",
             (unsigned long long)header.payload_size, (long long)st.st_size - HEADER_SIZE);
    throw_reason(env, "SIZE", message);
    return NULL;
  }
  size_t length = (size_t)st.st_size;
  void *base = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    throw_errno(env, errno, "mmap", NULL);
    return NULL;
  }
  return make_segment(env, base, length, header.creator_pid, -1);
}

// --- close --------------------------------------------------------------------------------------

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1], buffer, result;
  if (!get_arguments(env, info, 1, argv)) return NULL;
  segment *seg = unwrap_segment(env, argv[0]);
  if (seg == NULL) return NULL;

  bool unmapped = false;
  if (seg->base != NULL) {
    void *data = NULL;
    size_t length = 0;
    NAPI_CHECK(env, napi_get_named_property(env, argv[0], "buffer", &buffer));
    NAPI_CHECK(env, napi_get_arraybuffer_info(env, buffer, &data, &length));
    if (data == seg->base + HEADER_SIZE) {
      // Detach first: every view over the buffer drops to length 0, so JS can never reach the
      // memory once it is unmapped. Detaching may run finalize_buffer at once (it then unmaps and
      // segment_unmap below does nothing) or later (it then finds the memory already unmapped).
      NAPI_CHECK(env, napi_detach_arraybuffer(env, buffer));
      segment_unmap(seg);
      unmapped = true;
    }
    // Otherwise our ArrayBuffer was detached by someone else (ArrayBuffer.prototype.transfer()
    // copies an external buffer's bytes and detaches it): its finalizer unmaps, now or soon.
  }
  NAPI_CHECK(env, napi_get_boolean(env, unmapped, &result));
  return result;
}

// --- module -------------------------------------------------------------------------------------

// Adds the shared-memory functions to the addon's exports (see addon.c).
napi_value drover_shm_register(napi_env env, napi_value exports) {
  napi_value header_size;
  NAPI_CHECK(env, napi_create_uint32(env, HEADER_SIZE, &header_size));
  napi_property_descriptor props[] = {
      {"create", NULL, js_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"map", NULL, js_map, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"HEADER_SIZE", NULL, NULL, NULL, NULL, header_size, napi_enumerable, NULL},
  };
  NAPI_CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof *props, props));
  return exports;
}
