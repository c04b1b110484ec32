// drover's native addon: shared memory (shm.c), listening sockets the master holds (listen.c), file
// locks (files.c), waiting on a word of shared memory for another process to change it (futex.c),
// what an environment that ends leaves in such a word (word-guard.c), and systemd's side of things:
// sd_notify's datagrams (notify.c) and the sockets of socket activation (activation.c).
// Context-aware: each worker thread that loads it gets exports of its own, and no state is shared
// between them.
#include "errors.h"

napi_value drover_shm_register(napi_env env, napi_value exports);
napi_value drover_listen_register(napi_env env, napi_value exports);
napi_value drover_files_register(napi_env env, napi_value exports);
napi_value drover_futex_register(napi_env env, napi_value exports);
napi_value drover_word_guard_register(napi_env env, napi_value exports);
napi_value drover_notify_register(napi_env env, napi_value exports);
napi_value drover_activation_register(napi_env env, napi_value exports);

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  if (drover_shm_register(env, exports) == NULL) return NULL;
  if (drover_listen_register(env, exports) == NULL) return NULL;
  if (drover_files_register(env, exports) == NULL) return NULL;
  if (drover_futex_register(env, exports) == NULL) return NULL;
  if (drover_word_guard_register(env, exports) == NULL) return NULL;
  if (drover_notify_register(env, exports) == NULL) return NULL;
  return drover_activation_register(env, exports);
}
