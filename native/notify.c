// sd_notify(3) without libsystemd: the protocol is one datagram of "KEY=VALUE" lines sent to the Unix
// socket that $NOTIFY_SOCKET names, a path ("/run/systemd/notify") or, after "@", an abstract name.
// Node has no Unix datagram sockets, so this is the one call drover needs: a socket made, one
// sendto, the socket closed again. Nothing stays open between calls, so nothing can leak.
//
// Exports:
//   notify(socket, message)   sends `message` (UTF-8) to `socket`; throws an errno-shaped Error
//                             (ECONNREFUSED, ENOENT, EAGAIN, ...) when it cannot be delivered

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "errors.h"

// The largest message drover sends is a STATUS= line of a few hundred bytes; far more is a bug.
#define MAX_MESSAGE 4096

// Fills `address` from "@name" (abstract: a leading NUL, no terminating one) or "/path". Returns the
// address length, or 0 (with errno set) for a name that is neither or does not fit.
static socklen_t notify_address(const char *name, size_t length, struct sockaddr_un *address) {
  memset(address, 0, sizeof *address);
  address->sun_family = AF_UNIX;
  if (length < 2 || (name[0] != '@' && name[0] != '/')) {
    errno = EINVAL;
    return 0;
  }
  // An abstract name fills sun_path from byte 1 and may use all of it; a path needs its final NUL.
  if (length > sizeof address->sun_path - (name[0] == '/' ? 1 : 0)) {
    errno = ENAMETOOLONG;
    return 0;
  }
  memcpy(address->sun_path, name, length);
  if (name[0] == '@') {
    address->sun_path[0] = '\0';
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length);
  }
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length + 1);
}

static napi_value js_notify(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_arguments(env, info, 2, argv)) return NULL;
  struct sockaddr_un address;
  // One byte more than sun_path holds, so that a name too long shows as such instead of being cut.
  char name[sizeof address.sun_path + 2];
  size_t name_length = 0, message_length = 0;
  if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &name_length) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], NULL, 0, &message_length) != napi_ok) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "notify takes (socket, message): two strings");
    return NULL;
  }
  socklen_t address_length = notify_address(name, name_length, &address);
  if (address_length == 0) {
    throw_errno(env, errno, "notify", name);
    return NULL;
  }
  if (message_length == 0 || message_length > MAX_MESSAGE) {
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "notify's message must be 1 to 4096 bytes");
    return NULL;
  }
  char *message = malloc(message_length + 1);
  if (message == NULL) {
    throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  if (napi_get_value_string_utf8(env, argv[1], message, message_length + 1, &message_length) != napi_ok) {
    free(message);
    throw_error(env, "EINVAL", EINVAL, "argument", NULL, "notify's message must be a string");
    return NULL;
  }

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int saved = errno;
    free(message);
    throw_errno(env, saved, "socket", name);
    return NULL;
  }
  // MSG_NOSIGNAL: a socket gone away must be an error here, never a SIGPIPE for the master.
  ssize_t sent;
  do {
    sent = sendto(fd, message, message_length, MSG_NOSIGNAL, (struct sockaddr *)&address, address_length);
  } while (sent < 0 && errno == EINTR);
  int saved = errno;
  close(fd);
  free(message);
  if (sent < 0) {
    throw_errno(env, saved, "sendto", name);
    return NULL;
  }
  napi_value result;
  NAPI_CHECK(env, napi_get_undefined(env, &result));
  return result;
}

// Adds notify to the addon's exports (see addon.c).
napi_value drover_notify_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"notify", NULL, js_notify, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof *props, props));
  return exports;
}
