{
  "targets": [
    {
      "target_name": "editledger_sgemm",
      "sources": ["sgemm.cc", "row-kernels.cc", "head-layout.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-fno-trapping-math", "-std=c++17"],
      "libraries": ["-lopenblas"]
    }
  ]
}
