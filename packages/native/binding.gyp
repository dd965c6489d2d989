{
  "targets": [
    {
      "target_name": "torsion_native",
      "sources": ["src/addon/torsion_native.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
