// The kernel dispatcher: the one entry point every host (the N-API addon, a wasm module)
// calls to run a kernel. Free of N-API; never lets a C++ exception escape. See
// docs/native-backend.md ("The dispatcher") for the metadata encoding.
#pragma once
#include <cstddef>

#include "common.h"

namespace tg {

// What dispatch() and dispatch_meta() return.
enum DispatchResult {
  DISPATCH_ERROR = -1,       // bad call or failure; `err` holds a message naming the kernel
  DISPATCH_NOT_HANDLED = 0,  // valid call whose dtype/layout the kernel leaves to the ref backend
  DISPATCH_RAN = 1,          // the kernel ran and wrote its outputs
};

// Runs kernel `kernel` (KernelCode, kernel_codes.h) on decoded views (data, dtype and length
// set by the host) and its parameter list. Checks the view count, parameter count, op codes,
// ranks, bounds and the shape relations of the kernel before running it. On DISPATCH_ERROR
// writes a NUL-terminated message of at most errlen bytes to err.
int dispatch(int kernel, View* views, int nviews, const double* params, size_t nparams, char* err, size_t errlen) noexcept;

// Decodes the metadata encoding, then calls dispatch():
//   meta = [nviews, per view: nd, shape[0..nd), offset, strides[0..nd), then the parameters]
// (all float64, element units). data[i], lengths[i] (elements) and dtypes[i] (DType) describe
// the storage of view i; ndata must equal nviews.
int dispatch_meta(int kernel, const double* meta, size_t metaLen, void* const* data, const size_t* lengths, const int* dtypes,
                  int ndata, char* err, size_t errlen) noexcept;

// Name of a kernel code ("?" when unknown).
const char* kernel_name(int kernel) noexcept;

}  // namespace tg
