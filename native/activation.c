// Sockets a process was started with (systemd's socket activation: $LISTEN_FDS descriptors from 3
// on): what each one is, so the master can match it to a listen entry, and close-on-exec for the ones
// it keeps. systemd passes them inheritable; left so, every process the master spawns would get a
// copy beside the descriptors it is meant to have.
//
// Exports:
//   describeSocket(fd) -> { socket, stream, listening, family, address, port, v6only, path }
//                         socket false (and nothing else filled) for a descriptor that is not one;
//                         family "inet", "inet6", "unix" or "other"; address numeric ("127.0.0.1",
//                         "::"); path "" for an unnamed unix socket, "@name" for an abstract one
//   setCloexec(fd)     -> sets FD_CLOEXEC

#define _GNU_SOURCE  // S_ISSOCK and strnlen under -std=c11
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "errors.h"

static bool fd_argument(napi_env env, napi_callback_info info, const char *call, int32_t *fd) {
  napi_value argv[1];
  if (!get_arguments(env, info, 1, argv)) return false;
  if (napi_get_value_int32(env, argv[0], fd) != napi_ok || *fd < 0) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, call);
    return false;
  }
  return true;
}

static bool set_string(napi_env env, napi_value object, const char *key, const char *value, size_t length) {
  napi_value string;
  return napi_create_string_utf8(env, value, length, &string) == napi_ok &&
         napi_set_named_property(env, object, key, string) == napi_ok;
}

static bool set_int(napi_env env, napi_value object, const char *key, int32_t value) {
  napi_value number;
  return napi_create_int32(env, value, &number) == napi_ok &&
         napi_set_named_property(env, object, key, number) == napi_ok;
}

static bool set_bool(napi_env env, napi_value object, const char *key, bool value) {
  napi_value boolean;
  return napi_get_boolean(env, value, &boolean) == napi_ok &&
         napi_set_named_property(env, object, key, boolean) == napi_ok;
}

// Fills family, address, port, v6only and path from the socket's own name (getsockname).
static bool describe_name(napi_env env, int fd, napi_value result) {
  struct sockaddr_storage storage;
  socklen_t length = sizeof storage;
  memset(&storage, 0, sizeof storage);
  if (getsockname(fd, (struct sockaddr *)&storage, &length) != 0) {
    throw_errno(env, errno, "getsockname", NULL);
    return false;
  }
  char text[INET6_ADDRSTRLEN] = "";
  const char *family = "other";
  int32_t port = 0;
  int v6only = 0;
  char path[sizeof ((struct sockaddr_un *)0)->sun_path + 1] = "";
  size_t path_length = 0;
  if (storage.ss_family == AF_INET) {
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)&storage;
    family = "inet";
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    port = ntohs(v4->sin_port);
  } else if (storage.ss_family == AF_INET6) {
    const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&storage;
    family = "inet6";
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    port = ntohs(v6->sin6_port);
    socklen_t size = sizeof v6only;
    if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &size) != 0) v6only = 0;
  } else if (storage.ss_family == AF_UNIX) {
    const struct sockaddr_un *un = (const struct sockaddr_un *)&storage;
    family = "unix";
    size_t bytes = length > offsetof(struct sockaddr_un, sun_path) ? length - offsetof(struct sockaddr_un, sun_path) : 0;
    if (bytes > 0 && un->sun_path[0] == '\0') {
      // Abstract: named by every byte after the leading NUL, shown with "@" as systemd writes it.
      path[0] = '@';
      memcpy(path + 1, un->sun_path + 1, bytes - 1);
      path_length = bytes;
    } else if (bytes > 0) {
      path_length = strnlen(un->sun_path, bytes);
      memcpy(path, un->sun_path, path_length);
    }
  }
  return set_string(env, result, "family", family, NAPI_AUTO_LENGTH) &&
         set_string(env, result, "address", text, NAPI_AUTO_LENGTH) && set_int(env, result, "port", port) &&
         set_bool(env, result, "v6only", v6only != 0) && set_string(env, result, "path", path, path_length);
}

// A napi_* call failed without an exception (out of memory): throw one, so JS never sees undefined.
static napi_value failed(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ENAPI", "describeSocket failed");
  return NULL;
}

static napi_value js_describe_socket(napi_env env, napi_callback_info info) {
  int32_t fd = -1;
  if (!fd_argument(env, info, "describeSocket takes a descriptor", &fd)) return NULL;
  struct stat status;
  if (fstat(fd, &status) != 0) {
    throw_errno(env, errno, "fstat", NULL);
    return NULL;
  }
  napi_value result;
  NAPI_CHECK(env, napi_create_object(env, &result));
  bool is_socket = S_ISSOCK(status.st_mode);
  if (!set_bool(env, result, "socket", is_socket)) return failed(env);
  if (!is_socket) return result;
  int type = 0, listening = 0;
  socklen_t size = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) != 0) {
    throw_errno(env, errno, "getsockopt", NULL);
    return NULL;
  }
  size = sizeof listening;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0) listening = 0;
  if (!set_bool(env, result, "stream", type == SOCK_STREAM) ||
      !set_bool(env, result, "listening", listening != 0) || !describe_name(env, fd, result)) {
    return failed(env);
  }
  return result;
}

static napi_value js_set_cloexec(napi_env env, napi_callback_info info) {
  int32_t fd = -1;
  if (!fd_argument(env, info, "setCloexec takes a descriptor", &fd)) return NULL;
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != 0) {
    throw_errno(env, errno, "fcntl", NULL);
    return NULL;
  }
  napi_value result;
  NAPI_CHECK(env, napi_get_undefined(env, &result));
  return result;
}

// Adds the activation functions to the addon's exports (see addon.c).
napi_value drover_activation_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"describeSocket", NULL, js_describe_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setCloexec", NULL, js_set_cloexec, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof *props, props));
  return exports;
}
