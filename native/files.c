// Advisory locks on whole files (flock), which Node lacks. drover holds one on its pid file for the
// master's life: the kernel drops it when the master dies, however it dies, so "locked" means "a
// master runs" and a pid file nobody locks is stale whatever pid it names.
//
// Exports:
//   flock(fd, exclusive, wait) -> true once locked; false when `wait` is false and another holds it
// A lock belongs to the open file description: it is released when the last descriptor for it is
// closed (drover's descriptors are close-on-exec, so children never share it).

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/file.h>

#include "errors.h"

static napi_value js_flock(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  int32_t fd = -1;
  bool exclusive = false, wait = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 ||
      napi_get_value_bool(env, argv[1], &exclusive) != napi_ok ||
      napi_get_value_bool(env, argv[2], &wait) != napi_ok) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "flock takes (fd, exclusive, wait): an fd and two booleans");
    return NULL;
  }
  int operation = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
  int rc;
  do {
    rc = flock(fd, operation);
  } while (rc != 0 && errno == EINTR);  // a signal handler ran while we waited: wait again
  if (rc != 0 && errno != EWOULDBLOCK) {
    throw_errno(env, errno, "flock", NULL);
    return NULL;
  }
  NAPI_CHECK(env, napi_get_boolean(env, rc == 0, &result));
  return result;
}

// Adds the file functions to the addon's exports (see addon.c).
napi_value drover_files_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"flock", NULL, js_flock, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof *props, props));
  return exports;
}
