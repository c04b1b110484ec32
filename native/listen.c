// Listening sockets that the master opens once and holds for its whole life. They are plain file
// descriptors, never registered with the master's event loop, so the master never accepts a
// connection itself; children inherit them when they are spawned and accept on them. Because the
// master keeps its descriptor, a port stays bound, and connections wait in its queue, across every
// restart of the children.
//
// Exports:
//   listenTcp(host, port, backlog, reusePort) -> fd   (host is a numeric IPv4 or IPv6 address)
//   listenUnix(path, backlog)                 -> fd
//   localPort(fd)                             -> the bound port (for port 0)
//   dupFd(fd)                                 -> a new descriptor for the same socket
//   closeFd(fd)
//   acceptQueue(fd)                           -> connections waiting to be accepted, -1 if not TCP
// Every descriptor is close-on-exec: a child receives only those the master maps into it at spawn.

#define _GNU_SOURCE  // accept4-era flags: SOCK_CLOEXEC, F_DUPFD_CLOEXEC
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "errors.h"

static bool get_int(napi_env env, napi_value value, int32_t *out) {
  return napi_get_value_int32(env, value, out) == napi_ok;
}

// Reads the single descriptor argument of localPort, dupFd and closeFd; throws EINVAL naming `call`.
static bool get_fd_arg(napi_env env, napi_callback_info info, const char *call, int32_t *fd) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || !get_int(env, argv[0], fd)) {
    throw_errno(env, EINVAL, call, NULL);
    return false;
  }
  return true;
}

// Closes `fd` without losing the errno that made us give up on it.
static void close_keeping_errno(int fd) {
  int saved = errno;
  close(fd);
  errno = saved;
}

// Binds and listens; on failure closes the socket and throws with the failing call's name.
static napi_value bind_and_listen(napi_env env, int fd, const struct sockaddr *address, socklen_t length,
                                  int backlog, const char *where) {
  const char *syscall = "bind";
  if (bind(fd, address, length) == 0) {
    syscall = "listen";
    if (listen(fd, backlog) == 0) {
      napi_value result;
      NAPI_CHECK(env, napi_create_int32(env, fd, &result));
      return result;
    }
  }
  close_keeping_errno(fd);
  throw_errno(env, errno, syscall, where);
  return NULL;
}

static napi_value js_listen_tcp(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char host[64];
  size_t host_length = 0;
  int32_t port = 0, backlog = 0;
  bool reuse_port = false;
  if (argc < 4 || napi_get_value_string_utf8(env, argv[0], host, sizeof host, &host_length) != napi_ok ||
      !get_int(env, argv[1], &port) || !get_int(env, argv[2], &backlog) ||
      napi_get_value_bool(env, argv[3], &reuse_port) != napi_ok || port < 0 || port > 65535) {
    throw_errno(env, EINVAL, "listenTcp", NULL);
    return NULL;
  }

  struct sockaddr_storage storage;
  memset(&storage, 0, sizeof storage);
  socklen_t length;
  int family;
  struct sockaddr_in *v4 = (struct sockaddr_in *)&storage;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&storage;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    family = v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    family = v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    length = sizeof *v6;
  } else {
    throw_errno(env, EINVAL, "inet_pton", host);
    return NULL;
  }

  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, errno, "socket", host);
    return NULL;
  }
  int on = 1;
  // SO_REUSEADDR: a restarted master can bind while old connections sit in TIME_WAIT.
  // IPV6_V6ONLY: "::" means IPv6 only, so it does not collide with a separate 0.0.0.0 listener.
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) ||
      (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0)) {
    close_keeping_errno(fd);
    throw_errno(env, errno, "setsockopt", host);
    return NULL;
  }
  return bind_and_listen(env, fd, (struct sockaddr *)&storage, length, backlog, host);
}

static napi_value js_listen_unix(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  struct sockaddr_un address;
  memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  size_t path_length = 0;
  int32_t backlog = 0;
  // Read into a buffer one byte longer than sun_path, so that a path that does not fit (with its NUL)
  // shows as too long instead of being cut to fit.
  char path[sizeof address.sun_path + 1];
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &path_length) != napi_ok ||
      !get_int(env, argv[1], &backlog)) {
    throw_errno(env, EINVAL, "listenUnix", NULL);
    return NULL;
  }
  if (path_length == 0 || path_length >= sizeof address.sun_path) {
    throw_errno(env, ENAMETOOLONG, "bind", path);
    return NULL;
  }
  memcpy(address.sun_path, path, path_length + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, errno, "socket", address.sun_path);
    return NULL;
  }
  return bind_and_listen(env, fd, (struct sockaddr *)&address, sizeof address, backlog, address.sun_path);
}

static napi_value js_local_port(napi_env env, napi_callback_info info) {
  int32_t fd = -1;
  if (!get_fd_arg(env, info, "localPort", &fd)) return NULL;
  struct sockaddr_storage storage;
  socklen_t length = sizeof storage;
  if (getsockname(fd, (struct sockaddr *)&storage, &length) != 0) {
    throw_errno(env, errno, "getsockname", NULL);
    return NULL;
  }
  int port = storage.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&storage)->sin6_port)
             : storage.ss_family == AF_INET  ? ntohs(((struct sockaddr_in *)&storage)->sin_port)
                                             : 0;
  napi_value result;
  NAPI_CHECK(env, napi_create_int32(env, port, &result));
  return result;
}

static napi_value js_dup_fd(napi_env env, napi_callback_info info) {
  int32_t fd = -1;
  if (!get_fd_arg(env, info, "dupFd", &fd)) return NULL;
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    throw_errno(env, errno, "fcntl", NULL);
    return NULL;
  }
  napi_value result;
  NAPI_CHECK(env, napi_create_int32(env, copy, &result));
  return result;
}

static napi_value js_close_fd(napi_env env, napi_callback_info info) {
  int32_t fd = -1;
  if (!get_fd_arg(env, info, "closeFd", &fd)) return NULL;
  // After close() the descriptor is gone even when it reports an error (Linux), so only EBADF matters.
  if (close(fd) != 0 && errno == EBADF) {
    throw_errno(env, errno, "close", NULL);
    return NULL;
  }
  napi_value result;
  NAPI_CHECK(env, napi_get_undefined(env, &result));
  return result;
}

// The connections waiting in a TCP listener's accept queue (Linux reports it as tcpi_unacked for a
// listening socket), or -1 for a socket that is not TCP: a child that stopped accepting to let a
// less loaded peer take connections can see whether the peer actually takes them.
static napi_value js_accept_queue(napi_env env, napi_callback_info info) {
  int32_t fd = -1;
  if (!get_fd_arg(env, info, "acceptQueue", &fd)) return NULL;
  struct tcp_info tcp;
  socklen_t length = sizeof tcp;
  int32_t queued = -1;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &tcp, &length) == 0) {
    queued = (int32_t)tcp.tcpi_unacked;
  } else if (errno != EOPNOTSUPP && errno != ENOPROTOOPT) {
    throw_errno(env, errno, "getsockopt", NULL);
    return NULL;
  }
  napi_value result;
  NAPI_CHECK(env, napi_create_int32(env, queued, &result));
  return result;
}

// Adds the socket functions to the addon's exports (see addon.c).
napi_value drover_listen_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"listenTcp", NULL, js_listen_tcp, NULL, NULL, NULL, napi_enumerable, NULL},
      {"listenUnix", NULL, js_listen_unix, NULL, NULL, NULL, napi_enumerable, NULL},
      {"localPort", NULL, js_local_port, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dupFd", NULL, js_dup_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeFd", NULL, js_close_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"acceptQueue", NULL, js_accept_queue, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof *props, props));
  return exports;
}
