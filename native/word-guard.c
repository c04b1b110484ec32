// drover_word_guard: what a JS environment that ends leaves in a word of shared memory. A global
// lock's ticket belongs to a process, which other processes can watch die; a worker thread that is
// terminated, though, ends inside a process that lives on. A guard, set on the ticket's word, marks
// it given up as the environment is torn down, so the others pass over it.
//
// Exports (src/native/word-guard.ts is the only caller):
//   wordGuard(buffer) -> guard            one per lock object; inactive until set
//   wordGuardSet(guard, byteOffset, a, b, c, replacement)
//                                         at teardown, the word becomes `replacement` if it holds a, b or c
//   wordGuardClear(guard)                 inactive again
//
// By the time Node runs an environment's cleanup hooks it may have finalized the environment's
// ArrayBuffers, and so unmapped a segment's memory. A guard therefore maps the same pages again for
// itself (mremap with an old size of 0 does that for a shared mapping) and writes through its own
// mapping, which it alone unmaps. Over memory that is not shared (a plain ArrayBuffer, which no
// other thread or process can see) a guard does nothing.

#define _GNU_SOURCE  // mremap
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "errors.h"

typedef struct {
  uint8_t *pages;   // the guard's own mapping of the buffer's pages; NULL over private memory
  size_t pages_length;
  size_t skew;      // where the buffer starts in `pages`
  size_t length;    // the buffer's length
  bool armed;
  size_t offset;
  uint32_t from[3];
  uint32_t to;
} guard;

static const napi_type_tag GUARD_TAG = {0x64726f7665726775ULL, 0x617264576f726473ULL};

// Run by Node as the environment ends (process exit, worker terminated), and as the guard is
// collected: a lock object dropped while it waited or held can never give its ticket back itself.
static void teardown(void *arg) {
  guard *g = arg;
  if (!g->armed || g->pages == NULL) return;
  g->armed = false;
  uint32_t *word = (uint32_t *)(g->pages + g->skew + g->offset);
  for (int i = 0; i < 3; i++) {
    uint32_t expected = g->from[i];
    if (__atomic_compare_exchange_n(word, &expected, g->to, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) break;
  }
}

static void finalize_guard(napi_env env, void *data, void *hint) {
  (void)hint;
  guard *g = data;
  teardown(g);
  napi_remove_env_cleanup_hook(env, teardown, g);
  if (g->pages != NULL) munmap(g->pages, g->pages_length);
  free(g);
}

static guard *unwrap_guard(napi_env env, napi_value value) {
  bool ours = false;
  void *g = NULL;
  if (napi_check_object_type_tag(env, value, &GUARD_TAG, &ours) != napi_ok || !ours ||
      napi_unwrap(env, value, &g) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "not a drover word guard");
    return NULL;
  }
  return g;
}

static napi_value js_guard(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], object;
  bool is_buffer = false;
  void *data = NULL;
  size_t length = 0;
  NAPI_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_is_arraybuffer(env, argv[0], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok || data == NULL) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "buffer must be an ArrayBuffer that is not detached");
    return NULL;
  }
  guard *g = calloc(1, sizeof *g);
  if (g == NULL) {
    throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  uintptr_t start = (uintptr_t)data & ~(uintptr_t)(page - 1);
  g->skew = (uintptr_t)data - start;
  g->length = length;
  g->pages_length = (g->skew + length + page - 1) & ~(page - 1);
  void *pages = mremap((void *)start, 0, g->pages_length, MREMAP_MAYMOVE);
  if (pages != MAP_FAILED) {
    g->pages = pages;
  } else if (errno != EINVAL) {  // EINVAL: private memory, which needs no guard
    int err = errno;
    free(g);
    throw_errno(env, err, "mremap", NULL);
    return NULL;
  }
  // From the wrap on, finalize_guard frees it (and unmaps) however the rest goes.
  if (napi_create_object(env, &object) != napi_ok || napi_wrap(env, object, g, finalize_guard, NULL, NULL) != napi_ok) {
    if (g->pages != NULL) munmap(g->pages, g->pages_length);
    free(g);
    napi_throw_error(env, "ENAPI", "could not make a word guard");
    return NULL;
  }
  NAPI_CHECK(env, napi_add_env_cleanup_hook(env, teardown, g));
  NAPI_CHECK(env, napi_type_tag_object(env, object, &GUARD_TAG));
  return object;
}

static napi_value js_set(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  NAPI_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  guard *g = argc >= 1 ? unwrap_guard(env, argv[0]) : NULL;
  if (g == NULL) return NULL;
  double offset = -1;
  int32_t values[4];
  bool ok = argc >= 6 && napi_get_value_double(env, argv[1], &offset) == napi_ok && offset >= 0 &&
            offset == (double)(size_t)offset && (size_t)offset % 4 == 0 && (size_t)offset + 4 <= g->length;
  for (int i = 0; ok && i < 4; i++) ok = napi_get_value_int32(env, argv[2 + i], &values[i]) == napi_ok;
  if (!ok) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL,
                "wordGuardSet needs a guard, a byteOffset (a multiple of 4 inside the buffer) and four numbers");
    return NULL;
  }
  g->offset = (size_t)offset;
  for (int i = 0; i < 3; i++) g->from[i] = (uint32_t)values[i];
  g->to = (uint32_t)values[3];
  g->armed = true;
  return NULL;
}

static napi_value js_clear(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  guard *g = argc >= 1 ? unwrap_guard(env, argv[0]) : NULL;
  if (g == NULL) return NULL;
  g->armed = false;
  return NULL;
}

// Adds the guard functions to the addon's exports (see addon.c).
napi_value drover_word_guard_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"wordGuard", NULL, js_guard, NULL, NULL, NULL, napi_enumerable, NULL},
      {"wordGuardSet", NULL, js_set, NULL, NULL, NULL, napi_enumerable, NULL},
      {"wordGuardClear", NULL, js_clear, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof *props, props));
  return exports;
}
