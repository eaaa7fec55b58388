{
  "targets": [
    {
      "target_name": "tsgrad_native",
      "sources": [
        "native/addon.cc",
        "native/dispatch.cc",
        "native/threadpool.cc",
        "native/elementwise.cc",
        "native/softmax.cc",
        "native/gemm.cc",
        "native/reduce.cc",
        "native/conv.cc",
        "native/winograd.cc",
        "native/pool.cc",
        "native/gather.cc",
        "native/optim.cc",
        "native/norm.cc"
      ],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-std=gnu++17"],
      "cflags": ["-O3", "-fno-math-errno", "-fno-trapping-math"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wno-unused-function", "-Wno-psabi"],
      "libraries": ["-lpthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
