// drover_shm: maps a file (under /dev/shm or a run directory) into an ArrayBuffer that several
// processes share. Node has no cross-process shared memory; this is the whole of what drover needs.
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
//   create(path, size, tag, version, mode, replace) -> segment
//   open(path, tag, version)                        -> segment
//   close(segment)                                  -> true if this call unmapped the memory
//   remove(path[, segment])                         -> true if a file was unlinked
//   HEADER_SIZE
// A segment is a plain object { buffer, size, pid } that also carries the native state.
//
// Errors are JS Errors with `code` (an errno name such as "ENOSPC", or "FOREIGN", "LAYOUT",
// "SIZE", "NOTREG", "EINVAL"), `syscall`, `errno` (0 for the non-errno reasons) and `path`.

#define _GNU_SOURCE  // renameat2 and RENAME_NOREPLACE (Linux); everything else is POSIX

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <node_api.h>
#include <stdatomic.h>
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

#define HEADER_SIZE 64
static const char MAGIC[8] = {'D', 'R', 'O', 'V', 'E', 'R', 'S', 'M'};

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
  dev_t dev;      // identity of the file, so that the owner removes its own file
  ino_t ino;      // and not one that replaced it
  int refs;
} segment;

// Lets close() and remove() tell our segment objects from anything else passed in.
static const napi_type_tag SEGMENT_TAG = {0x64726f7665727368ULL, 0x6d5365676d656e74ULL};

static void segment_release(segment *seg) {
  if (--seg->refs == 0) free(seg);
}

static void segment_unmap(segment *seg) {
  if (seg->base == NULL) return;  // already unmapped: never munmap twice
  munmap(seg->base, seg->length);
  seg->base = NULL;
}

// For a file that opened fine but is not what the caller asked for.
static void throw_reason(napi_env env, const char *reason, const char *path, const char *message) {
  throw_error(env, reason, 0, "open", path, message);
}

// --- arguments ----------------------------------------------------------------------------------

static bool get_path(napi_env env, napi_value value, char *out, size_t size) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, out, size, &length) != napi_ok) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "path must be a string");
    return false;
  }
  if (length >= size - 1) {
    throw_errno(env, ENAMETOOLONG, "argument", NULL);
    return false;
  }
  // An embedded NUL would silently cut the path short.
  if (strlen(out) != length || out[0] != '/') {
    throw_error(env, "EINVAL", EINVAL, "argument", out, "path must be absolute and hold no NUL byte");
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

static bool get_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  if (argc < count) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "too few arguments");
    return false;
  }
  return true;
}

static bool get_bool(napi_env env, napi_value value) {
  bool result = false;
  napi_get_value_bool(env, value, &result);  // anything but a boolean counts as false
  return result;
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

// Wraps a fresh mapping into { buffer, size, pid }. On failure the mapping is unmapped.
static napi_value make_segment(napi_env env, uint8_t *base, size_t length, struct stat *st, uint32_t pid) {
  segment *seg = calloc(1, sizeof *seg);
  if (seg == NULL) {
    munmap(base, length);
    throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  seg->base = base;
  seg->length = length;
  seg->dev = st->st_dev;
  seg->ino = st->st_ino;

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

  napi_value object, size, creator;
  // From here on, a failure leaves the struct to the ArrayBuffer's finalizer (refs is 1).
  NAPI_CHECK(env, napi_create_object(env, &object));
  NAPI_CHECK(env, napi_create_double(env, (double)(length - HEADER_SIZE), &size));
  NAPI_CHECK(env, napi_create_uint32(env, pid, &creator));
  // Read-only and non-configurable: close() trusts `buffer` to be the ArrayBuffer it made.
  napi_property_descriptor props[] = {
      {"buffer", NULL, NULL, NULL, NULL, buffer, napi_enumerable, NULL},
      {"size", NULL, NULL, NULL, NULL, size, napi_enumerable, NULL},
      {"pid", NULL, NULL, NULL, NULL, creator, napi_enumerable, NULL},
  };
  NAPI_CHECK(env, napi_define_properties(env, object, 3, props));
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

// Gives the finished temporary file its final name, atomically. Without `replace`, an existing file
// is refused (EEXIST). renameat2 keeps the mapping listed under its final name in /proc/<pid>/maps
// (useful to see who maps a scoreboard); link+unlink is the portable fallback for file systems
// without RENAME_NOREPLACE.
static int publish(const char *temp, const char *path, bool replace) {
  if (replace) return rename(temp, path);
#ifdef RENAME_NOREPLACE
  if (renameat2(AT_FDCWD, temp, AT_FDCWD, path, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return -1;
#endif
  if (link(temp, path) != 0) return -1;
  unlink(temp);
  return 0;
}

// Creation is atomic for readers: the file is built under a temporary name in the same directory
// and only renamed to its final name once it is full size, backed and has its header. A reader
// therefore sees either no file or a complete one, never a short file or a half-written header.
static napi_value js_create(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  char path[PATH_MAX], temp[PATH_MAX];
  uint64_t payload, tag, version, mode;
  if (!get_args(env, info, 6, argv) || !get_path(env, argv[0], path, sizeof path) ||
      !get_integer(env, argv[1], 1, (double)(SIZE_MAX / 2), "size", &payload) ||
      !get_integer(env, argv[2], 0, UINT32_MAX, "tag", &tag) ||
      !get_integer(env, argv[3], 0, UINT32_MAX, "version", &version) ||
      !get_integer(env, argv[4], 0, 0777, "mode", &mode))
    return NULL;
  bool replace = get_bool(env, argv[5]);
  size_t length = HEADER_SIZE + (size_t)payload;

  // The temporary name lives in the target's directory (link and rename work only within one file
  // system) and starts with a dot so that listings skip it. O_EXCL never follows a symlink and
  // never reuses a file; a name left by a dead process with our pid is skipped by the counter.
  static atomic_uint counter;
  size_t dir_length = (size_t)(strrchr(path, '/') - path);
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; attempt++) {
    int n = snprintf(temp, sizeof temp, "%.*s/.drover-shm-%ld-%u.tmp", (int)dir_length, path, (long)getpid(),
                     atomic_fetch_add(&counter, 1));
    if (n < 0 || (size_t)n >= sizeof temp) {
      throw_errno(env, ENAMETOOLONG, "open", path);
      return NULL;
    }
    fd = open(temp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
    if (fd < 0 && errno != EEXIST) {
      // Report the directory problem against the path the caller gave.
      throw_errno(env, errno, "open", path);
      return NULL;
    }
  }
  if (fd < 0) {
    throw_errno(env, EEXIST, "open", temp);
    return NULL;
  }

  const char *syscall = NULL;
  int err = 0;
  uint8_t *base = MAP_FAILED;
  struct stat st;
  // open() applied the umask; the caller asked for exactly `mode` (e.g. 0660 to share with a group).
  if (fchmod(fd, (mode_t)mode) != 0) {
    syscall = "fchmod";
    err = errno;
  } else if (ftruncate(fd, (off_t)length) != 0) {
    syscall = "ftruncate";
    err = errno;
  } else if ((err = posix_fallocate(fd, 0, (off_t)length)) != 0) {
    // Reserving the pages now turns a full tmpfs into ENOSPC here, instead of a SIGBUS on the
    // first write to a page that cannot be backed.
    syscall = "posix_fallocate";
  } else if ((base = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
    syscall = "mmap";
    err = errno;
  } else if (fstat(fd, &st) != 0) {
    syscall = "fstat";
    err = errno;
  } else {
    shm_header *header = (shm_header *)base;  // the file is fresh: all zero
    memcpy(header->magic, MAGIC, sizeof MAGIC);
    header->header_size = HEADER_SIZE;
    header->tag = (uint32_t)tag;
    header->version = (uint32_t)version;
    header->creator_pid = (uint32_t)getpid();
    header->payload_size = payload;
    if (publish(temp, path, replace) != 0) {
      syscall = "rename";
      err = errno;
    }
  }
  close(fd);  // the mapping keeps the file open for as long as it exists
  if (err != 0) {
    if (base != MAP_FAILED) munmap(base, length);
    unlink(temp);
    throw_errno(env, err, syscall, path);
    return NULL;
  }
  return make_segment(env, base, length, &st, (uint32_t)getpid());
}

// --- open ---------------------------------------------------------------------------------------

static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char path[PATH_MAX], message[PATH_MAX + 256];
  uint64_t tag, version;
  if (!get_args(env, info, 3, argv) || !get_path(env, argv[0], path, sizeof path) ||
      !get_integer(env, argv[1], 0, UINT32_MAX, "tag", &tag) ||
      !get_integer(env, argv[2], 0, UINT32_MAX, "version", &version))
    return NULL;

  // O_NOFOLLOW: /dev/shm is writable by everyone, so a symlink planted there must not lead a
  // privileged master into mapping some other file.
  int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    throw_errno(env, errno, "open", path);
    return NULL;
  }
  struct stat st;
  shm_header header;
  ssize_t got = 0;
  if (fstat(fd, &st) != 0) {
    throw_errno(env, errno, "fstat", path);
  } else if (!S_ISREG(st.st_mode)) {
    throw_reason(env, "NOTREG", path, "not a regular file");
  } else if (st.st_size < HEADER_SIZE || (got = pread(fd, &header, sizeof header, 0)) != HEADER_SIZE ||
             memcmp(header.magic, MAGIC, sizeof MAGIC) != 0) {
    if (got < 0) {
      throw_errno(env, errno, "pread", path);
    } else {
      snprintf(message, sizeof message, "no drover header (%lld bytes, magic %s)", (long long)st.st_size,
               st.st_size < HEADER_SIZE ? "absent" : "wrong");
      throw_reason(env, "FOREIGN", path, message);
    }
  } else if (header.header_size != HEADER_SIZE || header.tag != tag || header.version != version) {
    snprintf(message, sizeof message,
             "layout tag 0x%08x version %u header %u bytes; expected tag 0x%08x version %u header %u bytes",
             header.tag, header.version, header.header_size, (uint32_t)tag, (uint32_t)version, HEADER_SIZE);
    throw_reason(env, "LAYOUT", path, message);
  } else if (header.payload_size == 0 || header.payload_size != (uint64_t)st.st_size - HEADER_SIZE) {
    // Truncated or extended behind our back: mapping it could fault (SIGBUS) past the end.
    snprintf(message, sizeof message, "header says %llu payload bytes, the file holds %lld",
             (unsigned long long)header.payload_size, (long long)st.st_size - HEADER_SIZE);
    throw_reason(env, "SIZE", path, message);
  } else {
    size_t length = (size_t)st.st_size;
    void *base = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int err = errno;
    close(fd);
    if (base == MAP_FAILED) {
      throw_errno(env, err, "mmap", path);
      return NULL;
    }
    return make_segment(env, base, length, &st, header.creator_pid);
  }
  close(fd);
  return NULL;
}

// --- close --------------------------------------------------------------------------------------

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1], buffer, result;
  if (!get_args(env, info, 1, argv)) return NULL;
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

// --- remove -------------------------------------------------------------------------------------

// unlink(path). With a segment, only if the path still names that segment's file: an owner must not
// remove a file that another process has since put in its place.
static napi_value js_remove(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  size_t argc = 2;
  char path[PATH_MAX];
  NAPI_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "too few arguments");
    return NULL;
  }
  if (!get_path(env, argv[0], path, sizeof path)) return NULL;
  bool removed = false;
  napi_valuetype type = napi_undefined;
  if (argc >= 2) NAPI_CHECK(env, napi_typeof(env, argv[1], &type));
  if (type != napi_undefined) {
    segment *seg = unwrap_segment(env, argv[1]);
    if (seg == NULL) return NULL;
    struct stat st;
    if (lstat(path, &st) == 0 && st.st_dev == seg->dev && st.st_ino == seg->ino) {
      // A replacement between lstat and unlink remains possible, but needs two writers racing for
      // one name, which the layout tag and the EXISTS check already make a configuration error.
      if (unlink(path) == 0) removed = true;
      else if (errno != ENOENT) {
        throw_errno(env, errno, "unlink", path);
        return NULL;
      }
    }
  } else if (unlink(path) == 0) {
    removed = true;
  } else if (errno != ENOENT) {
    throw_errno(env, errno, "unlink", path);
    return NULL;
  }
  NAPI_CHECK(env, napi_get_boolean(env, removed, &result));
  return result;
}

// --- module -------------------------------------------------------------------------------------

// Adds the shared-memory functions to the addon's exports (see addon.c).
napi_value drover_shm_register(napi_env env, napi_value exports) {
  napi_value header_size;
  NAPI_CHECK(env, napi_create_uint32(env, HEADER_SIZE, &header_size));
  napi_property_descriptor props[] = {
      {"create", NULL, js_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"remove", NULL, js_remove, NULL, NULL, NULL, napi_enumerable, NULL},
      {"HEADER_SIZE", NULL, NULL, NULL, NULL, header_size, napi_enumerable, NULL},
  };
  NAPI_CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof *props, props));
  return exports;
}
