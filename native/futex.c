// drover_futex: waits for another process to change a 32-bit word of shared memory, without blocking
// the event loop and without polling. Each watch has a small thread of its own that sleeps in
// FUTEX_WAIT (shared, not FUTEX_PRIVATE_FLAG, so the kernel keys it by file page and a wake from any
// process that maps the file reaches it) and calls back into JS through a threadsafe function. Not
// libuv's threadpool: a wait may last for minutes, and the app needs that pool for fs and dns.
//
// Exports (src/native/futex.ts is the only caller):
//   futexWatch(buffer, byteOffset, expected, intervalMs, callback) -> watch
//       callback(true) once the word no longer holds `expected` (the watch has then ended);
//       callback(false) every intervalMs while it still does (a tick: the caller looks around).
//   futexClose(watch)            stops it: no callback after this; the thread ends soon after.
//   futexWake(buffer, byteOffset) -> how many waiters were woken
//
// A watch keeps the event loop alive until it ends or is closed. The thread never reads the word
// itself: the kernel compares it, and a word that was unmapped meanwhile gives EFAULT, not a crash.
// Closing sets a flag and wakes the word; should the wake come just before the thread goes to sleep,
// its next tick sees the flag, so a closed watch's thread always ends within intervalMs.

#define _GNU_SOURCE  // pthread_setname_np
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"

// Plenty for a loop of system calls; the default (8 MiB of address space) is wasteful per waiter.
#define THREAD_STACK (64 * 1024)

typedef struct {
  uint32_t *word;        // in the caller's mapping
  uint32_t expected;
  struct timespec interval;
  atomic_bool closed;    // set by the JS thread; read by both
  pthread_t thread;
  bool started;          // `thread` runs, or ran, and is to be joined
  napi_threadsafe_function tsfn;
  napi_ref buffer;       // keeps the ArrayBuffer (so the mapping) from being collected while watched
  bool ended;            // the threadsafe function is finalized (JS thread only)
  int refs;              // the watch object's and the threadsafe function's (JS thread only)
} watch;

static const napi_type_tag WATCH_TAG = {0x64726f766572667aULL, 0x7574657857617463ULL};

// What the thread tells the JS thread: the word changed (the watch ends), or another interval passed.
#define CHANGED ((void *)1)
#define TICK ((void *)2)

static long futex(uint32_t *word, int op, uint32_t value, const struct timespec *timeout) {
  return syscall(SYS_futex, word, op, value, timeout, NULL, 0);
}

static void watch_release(napi_env env, watch *w) {
  if (--w->refs > 0) return;
  if (w->buffer != NULL) napi_delete_reference(env, w->buffer);
  free(w);
}

static void *watch_main(void *arg) {
  watch *w = arg;
  while (!atomic_load(&w->closed)) {
    long r = futex(w->word, FUTEX_WAIT, w->expected, &w->interval);
    int err = r == 0 ? 0 : errno;
    if (atomic_load(&w->closed)) break;
    // Woken (perhaps spuriously, or by close), or a signal: wait again; the kernel compares anew.
    if (r == 0 || err == EINTR) continue;
    bool changed = err != ETIMEDOUT;  // EAGAIN: no longer `expected`; EFAULT and the rest: JS looks
    if (napi_call_threadsafe_function(w->tsfn, changed ? CHANGED : TICK, napi_tsfn_nonblocking) != napi_ok)
      break;  // closing: the environment is going away
    if (changed) break;
  }
  napi_release_threadsafe_function(w->tsfn, napi_tsfn_release);
  return NULL;
}

// On the JS thread, for each message the thread queued.
static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  watch *w = context;
  if (env == NULL || callback == NULL || atomic_load(&w->closed)) return;  // closed meanwhile: say nothing
  napi_value changed, undefined;
  if (napi_get_boolean(env, data == CHANGED, &changed) != napi_ok || napi_get_undefined(env, &undefined) != napi_ok)
    return;
  napi_call_function(env, undefined, callback, 1, &changed, NULL);  // a throw becomes an uncaught exception
}

// On the JS thread once the thread has released the function, or as the environment is torn down
// (a worker that terminates, a process that exits while watching): then the thread may still be
// asleep, so it is woken and joined. It wakes within one interval at worst.
static void finalize_tsfn(napi_env env, void *data, void *hint) {
  (void)hint;
  watch *w = data;
  atomic_store(&w->closed, true);
  if (w->started) {
    futex(w->word, FUTEX_WAKE, INT_MAX, NULL);
    pthread_join(w->thread, NULL);
  }
  w->ended = true;
  watch_release(env, w);
}

static void finalize_object(napi_env env, void *data, void *hint) {
  (void)hint;
  watch_release(env, data);
}

// The word `byteOffset` bytes into the ArrayBuffer `value`; throws and returns NULL if there is none.
static uint32_t *get_word(napi_env env, napi_value value, napi_value offset_value) {
  bool is_buffer = false;
  void *data = NULL;
  size_t length = 0;
  int64_t offset = -1;
  if (napi_is_arraybuffer(env, value, &is_buffer) != napi_ok || !is_buffer ||
      napi_get_arraybuffer_info(env, value, &data, &length) != napi_ok || data == NULL) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "buffer must be an ArrayBuffer that is not detached");
    return NULL;
  }
  double number = -1;
  if (napi_get_value_double(env, offset_value, &number) == napi_ok && number >= 0 && number <= (double)length &&
      number == (double)(int64_t)number)
    offset = (int64_t)number;
  if (offset < 0 || offset % 4 != 0 || (size_t)offset + 4 > length || ((uintptr_t)data + (size_t)offset) % 4 != 0) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL,
                "byteOffset must be a multiple of 4 that leaves a 32-bit word inside the buffer");
    return NULL;
  }
  return (uint32_t *)((uint8_t *)data + offset);
}


// Starts the thread with every signal blocked: signals are the event loop's business, never this
// thread's (and FUTEX_WAIT then never sees EINTR from them).
static int start_thread(watch *w) {
  pthread_attr_t attr;
  int err = pthread_attr_init(&attr);
  if (err != 0) return err;
  long minimum = sysconf(_SC_THREAD_STACK_MIN);
  size_t stack = minimum > THREAD_STACK ? (size_t)minimum : THREAD_STACK;
  sigset_t all, previous;
  sigfillset(&all);
  if ((err = pthread_attr_setstacksize(&attr, stack)) == 0 &&
      (err = pthread_sigmask(SIG_SETMASK, &all, &previous)) == 0) {
    err = pthread_create(&w->thread, &attr, watch_main, w);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
  }
  pthread_attr_destroy(&attr);
  if (err == 0) pthread_setname_np(w->thread, "drover-futex");  // how tests (and ps -L) find them
  return err;
}

static napi_value js_watch(napi_env env, napi_callback_info info) {
  napi_value argv[5], object, name;
  if (!get_arguments(env, info, 5, argv)) return NULL;
  uint32_t *word = get_word(env, argv[0], argv[1]);
  if (word == NULL) return NULL;
  int32_t expected = 0;
  double interval_ms = 0;
  napi_valuetype type = napi_undefined;
  if (napi_get_value_int32(env, argv[2], &expected) != napi_ok ||
      napi_get_value_double(env, argv[3], &interval_ms) != napi_ok || !(interval_ms >= 1 && interval_ms <= INT32_MAX) ||
      napi_typeof(env, argv[4], &type) != napi_ok || type != napi_function) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL,
                "expected must be a number, intervalMs from 1 to 2^31-1, callback a function");
    return NULL;
  }

  watch *w = calloc(1, sizeof *w);
  if (w == NULL) {
    throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  w->word = word;
  w->expected = (uint32_t)expected;
  long long ms = (long long)interval_ms;
  w->interval.tv_sec = (time_t)(ms / 1000);
  w->interval.tv_nsec = (long)(ms % 1000) * 1000000L;
  w->refs = 1;  // the watch object's, once it is wrapped; until then this function's
  if (napi_create_reference(env, argv[0], 1, &w->buffer) != napi_ok ||
      napi_create_object(env, &object) != napi_ok ||
      napi_create_string_utf8(env, "drover-futex", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, argv[4], NULL, name, 0, 1, w, finalize_tsfn, w, call_js, &w->tsfn) !=
          napi_ok) {
    watch_release(env, w);
    napi_throw_error(env, "ENAPI", "could not set up a futex watch");
    return NULL;
  }
  // From here the threadsafe function owns a reference: its finalizer joins the thread and drops it.
  w->refs = 2;
  int err = start_thread(w);
  if (err != 0) {
    // No thread will release the function: release it here. Its finalizer has nothing to join and
    // drops the only reference left (the object was never wrapped).
    atomic_store(&w->closed, true);
    w->refs = 1;
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
    throw_errno(env, err, "pthread_create", NULL);
    return NULL;
  }
  w->started = true;
  if (napi_wrap(env, object, w, finalize_object, NULL, NULL) != napi_ok) {
    // Nothing can close it from JS: end it now; the threadsafe function's finalizer frees it.
    atomic_store(&w->closed, true);
    futex(w->word, FUTEX_WAKE, INT_MAX, NULL);
    w->refs = 1;
    napi_throw_error(env, "ENAPI", "could not wrap a futex watch");
    return NULL;
  }
  // Wrapped: from here the object's finalizer drops its reference whatever happens.
  NAPI_CHECK(env, napi_type_tag_object(env, object, &WATCH_TAG));
  return object;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_arguments(env, info, 1, argv)) return NULL;
  bool ours = false;
  void *data = NULL;
  if (napi_check_object_type_tag(env, argv[0], &WATCH_TAG, &ours) != napi_ok || !ours ||
      napi_unwrap(env, argv[0], &data) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "not a drover futex watch");
    return NULL;
  }
  watch *w = data;
  if (!atomic_exchange(&w->closed, true) && !w->ended) {
    // Nothing may keep the loop alive for a watch nobody listens to any more.
    napi_unref_threadsafe_function(env, w->tsfn);
    futex(w->word, FUTEX_WAKE, INT_MAX, NULL);
  }
  return NULL;
}

static napi_value js_wake(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  if (!get_arguments(env, info, 2, argv)) return NULL;
  uint32_t *word = get_word(env, argv[0], argv[1]);
  if (word == NULL) return NULL;
  long woken = futex(word, FUTEX_WAKE, INT_MAX, NULL);
  if (woken < 0) {
    throw_errno(env, errno, "futex", NULL);
    return NULL;
  }
  NAPI_CHECK(env, napi_create_int32(env, (int32_t)woken, &result));
  return result;
}

// Adds the futex functions to the addon's exports (see addon.c).
napi_value drover_futex_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"futexWatch", NULL, js_watch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"futexClose", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"futexWake", NULL, js_wake, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof *props, props));
  return exports;
}
