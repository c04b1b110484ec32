// See errors.h.
#define _POSIX_C_SOURCE 200809L  // PATH_MAX: musl hides it under -std=c11 without a POSIX feature macro
#include "errors.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

const char *errno_name(int err) {
  switch (err) {
#define NAME(e) \
  case e:       \
    return #e;
    NAME(EACCES) NAME(EPERM) NAME(ENOENT) NAME(EEXIST) NAME(ENOTDIR) NAME(EISDIR) NAME(ELOOP)
    NAME(ENAMETOOLONG) NAME(ENOSPC) NAME(ENOMEM) NAME(EDQUOT) NAME(EFBIG) NAME(EROFS) NAME(EINVAL)
    NAME(EMFILE) NAME(ENFILE) NAME(EBUSY) NAME(ETXTBSY) NAME(EXDEV) NAME(EIO) NAME(ENODEV)
    NAME(EOVERFLOW) NAME(EAGAIN) NAME(EINTR) NAME(EBADF) NAME(EOPNOTSUPP) NAME(ENXIO) NAME(EMLINK)
    NAME(EADDRINUSE) NAME(EADDRNOTAVAIL) NAME(EAFNOSUPPORT) NAME(ECONNREFUSED) NAME(ENOTSOCK)
    NAME(EPROTOTYPE) NAME(ENOBUFS) NAME(EMSGSIZE)
#undef NAME
    default:
      return "EUNKNOWN";
  }
}

void throw_error(napi_env env, const char *code, int err, const char *syscall, const char *path,
                 const char *message) {
  napi_value code_value, message_value, error, value;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &message_value);
  napi_create_error(env, code_value, message_value, &error);
  napi_create_int32(env, err, &value);
  napi_set_named_property(env, error, "errno", value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error, "syscall", value);
  if (path != NULL) {
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, error, "path", value);
  }
  napi_throw(env, error);
}

void throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  char message[PATH_MAX + 128];
  snprintf(message, sizeof message, "%s: %s %s", strerror(err), syscall, path ? path : "");
  throw_error(env, errno_name(err), err, syscall, path, message);
}

bool get_arguments(napi_env env, napi_callback_info info, size_t count, napi_value *argv) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  if (argc < count) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "too few arguments");
    return false;
  }
  return true;
}
