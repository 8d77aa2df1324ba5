# Sourced by scripts/demo and .ci/run before pip builds llama-cpp-python from source.
# llama.cpp's AMX kernels (Intel Xeon from Sapphire Rapids on) crash with a segmentation fault in
# ggml_backend_amx_mul_mat on Q4_K models on some machines (ggml-org/llama.cpp#20824), and the
# embedded model is Q4_K_M: a native build without AMX runs it on AVX-512 instead. A CMAKE_ARGS
# of your own (a GPU build) is kept as it is. pip keeps the wheel it builds: after a build that
# crashes, `pip cache remove llama_cpp_python` before installing again.
if [ -z "${CMAKE_ARGS:-}" ] && grep -qw amx_int8 /proc/cpuinfo 2>/dev/null; then
  no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
  export CMAKE_ARGS="-DCMAKE_C_FLAGS='$no_amx' -DCMAKE_CXX_FLAGS='$no_amx'"
fi
