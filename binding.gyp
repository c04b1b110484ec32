{
  "targets": [
    {
      "target_name": "drover_native",
      "sources": [
        "native/addon.c",
        "native/errors.c",
        "native/shm.c",
        "native/listen.c",
        "native/files.c",
        "native/futex.c",
        "native/word-guard.c",
        "native/notify.c",
        "native/activation.c"
      ],
      "cflags": ["-Wall", "-Wextra"],
      "cflags_c": ["-std=c11"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-Wall", "-Wextra", "-std=c11"]
      }
    }
  ]
}
