{
  "targets": [
    {
      "target_name": "drover_shm",
      "sources": ["native/shm.c"],
      "cflags": ["-Wall", "-Wextra"],
      "cflags_c": ["-std=c11"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-Wall", "-Wextra", "-std=c11"]
      }
    }
  ]
}
