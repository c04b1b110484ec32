// drover's native addon: shared memory (shm.c), listening sockets the master holds (listen.c), and
// file locks (files.c).
#include "errors.h"

napi_value drover_shm_register(napi_env env, napi_value exports);
napi_value drover_listen_register(napi_env env, napi_value exports);
napi_value drover_files_register(napi_env env, napi_value exports);

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  if (drover_shm_register(env, exports) == NULL) return NULL;
  if (drover_files_register(env, exports) == NULL) return NULL;
  return drover_listen_register(env, exports);
}
