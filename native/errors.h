// Errors thrown by drover's addon: JS Errors shaped like Node's own system errors (code, errno,
// syscall, path), so the TypeScript wrappers can turn them into DroverErrors with one mapping.
#ifndef DROVER_ERRORS_H
#define DROVER_ERRORS_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>

// The errno's name ("EACCES"), or "EUNKNOWN" for one this list lacks (the wrapper names it then).
const char *errno_name(int err);

// Throws an Error with `code`, `errno`, `syscall` and, when not NULL, `path`. A pending exception makes
// napi_* calls fail, so this is always the last thing a failing call does.
void throw_error(napi_env env, const char *code, int err, const char *syscall, const char *path,
                 const char *message);

// throw_error for an errno, with strerror's text.
void throw_errno(napi_env env, int err, const char *syscall, const char *path);

// Reads a call's first `count` arguments into `argv`, or throws EINVAL if it was given fewer.
bool get_arguments(napi_env env, napi_callback_info info, size_t count, napi_value *argv);

// Any napi_* failure (rare: out of memory, a pending exception) becomes a JS error once.
#define NAPI_CHECK(env, call)                                          \
  do {                                                                 \
    if ((call) != napi_ok) {                                           \
      bool pending = false;                                            \
      napi_is_exception_pending((env), &pending);                      \
      if (!pending) napi_throw_error((env), "ENAPI", #call " failed"); \
      return NULL;                                                     \
    }                                                                  \
  } while (0)

#endif
