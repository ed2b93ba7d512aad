{
  "variables": {
    "with_openblas%": "<!(node -p \"process.env.EDITLEDGER_WITH_OPENBLAS === '1' ? 1 : 0\")"
  },
  "targets": [
    {
      "target_name": "editledger_blocked",
      "sources": ["sgemm.cc", "row-kernels.cc", "head-layout.cc", "blocked-engine.cc", "blocked-kernels.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-fno-trapping-math", "-std=c++17", "-fvisibility=hidden"],
      "libraries": ["-lpthread"]
    }
  ],
  "conditions": [
    [
      "with_openblas==1",
      {
        "targets": [
          {
            "target_name": "editledger_sgemm",
            "sources": ["sgemm.cc", "row-kernels.cc", "head-layout.cc", "openblas-engine.cc"],
            "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
            "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
            "cflags_cc": ["-O3", "-fno-trapping-math", "-std=c++17"],
            "libraries": ["-lopenblas"]
          }
        ]
      }
    ]
  ]
}
