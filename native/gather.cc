// gather and scatterAdd along one dim with int32 indices. Indices are checked
// first (an out-of-range index returns false, leaving ref's behaviour); gather
// is threaded, scatterAdd runs serially because indices may collide.
#include "kernels.h"
#include "strided.h"

namespace tg {
namespace {

bool indices_ok(const View& index, int64_t limit) {
  const int64_t* strides[1] = {index.strides};
  const int64_t offs[1] = {index.offset};
  Walk<1> w = make_walk<1>(index.nd, index.shape, strides, offs);
  const int32_t* ip = static_cast<const int32_t*>(index.data);
  const int64_t is = w.istride(0);
  bool ok = true;
  walk_range(w, 0, w.total, [&](const int64_t* off, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
      const int32_t j = ip[off[0] + i * is];
      if (j < 0 || j >= limit) ok = false;
    }
  });
  return ok;
}

// Walk over index's shape of (index, other, base) with base's `dim` stride removed.
Walk<3> walk3(const View& index, const View& other, const View& base, int dim) {
  int64_t bw[MAX_DIMS];
  for (int d = 0; d < base.nd; d++) bw[d] = d == dim ? 0 : base.strides[d];
  const int64_t* strides[3] = {index.strides, other.strides, bw};
  const int64_t offs[3] = {index.offset, other.offset, base.offset};
  return make_walk<3>(index.nd, index.shape, strides, offs);
}

template <typename T> void gather_typed(const View& x, int dim, const View& index, const View& out) {
  Walk<3> w = walk3(index, out, x, dim);
  const int32_t* ip = static_cast<const int32_t*>(index.data);
  T* op = static_cast<T*>(out.data);
  const T* xp = static_cast<const T*>(x.data);
  const int64_t step = x.strides[dim], is = w.istride(0), os = w.istride(1), xs = w.istride(2);
  parallel_for_lambda(w.total, ELEMENTWISE_GRAIN, [&](int64_t lo, int64_t hi) {
    walk_range(w, lo, hi, [&](const int64_t* off, int64_t n) {
      for (int64_t i = 0; i < n; i++) op[off[1] + i * os] = xp[off[2] + i * xs + int64_t(ip[off[0] + i * is]) * step];
    });
  });
}

template <typename T, typename A> void scatter_typed(const View& out, int dim, const View& index, const View& src) {
  Walk<3> w = walk3(index, src, out, dim);
  const int32_t* ip = static_cast<const int32_t*>(index.data);
  const T* sp = static_cast<const T*>(src.data);
  T* op = static_cast<T*>(out.data);
  const int64_t step = out.strides[dim], is = w.istride(0), ss = w.istride(1), os = w.istride(2);
  walk_range(w, 0, w.total, [&](const int64_t* off, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
      T& d = op[off[2] + i * os + int64_t(ip[off[0] + i * is]) * step];
      d = static_cast<T>(static_cast<A>(d) + static_cast<A>(sp[off[1] + i * ss]));  // int32 wraps via uint32
    }
  });
}

}  // namespace

bool k_gather(const View& x, int dim, const View& index, const View& out) {
  if (index.dtype != I32 || x.dtype != out.dtype || dim < 0 || dim >= x.nd || index.nd != x.nd || out.nd != index.nd) return false;
  for (int d = 0; d < index.nd; d++)
    if (index.shape[d] != out.shape[d] || (d != dim && index.shape[d] > x.shape[d])) return false;
  if (index.numel() == 0) return true;
  if (!indices_ok(index, x.shape[dim])) return false;
  switch (x.dtype) {
    case F32: gather_typed<float>(x, dim, index, out); break;
    case F64: gather_typed<double>(x, dim, index, out); break;
    case I32: gather_typed<int32_t>(x, dim, index, out); break;
    case BOOL: gather_typed<uint8_t>(x, dim, index, out); break;
  }
  return true;
}

bool k_scatter_add(const View& out, int dim, const View& index, const View& src) {
  if (index.dtype != I32 || src.dtype != out.dtype || dim < 0 || dim >= out.nd || index.nd != out.nd || src.nd != index.nd) return false;
  for (int d = 0; d < index.nd; d++)
    if (index.shape[d] != src.shape[d] || (d != dim && index.shape[d] > out.shape[d])) return false;
  if (index.numel() == 0) return true;
  if (!indices_ok(index, out.shape[dim])) return false;
  switch (out.dtype) {
    case F32: scatter_typed<float, float>(out, dim, index, src); return true;
    case F64: scatter_typed<double, double>(out, dim, index, src); return true;
    case I32: scatter_typed<int32_t, uint32_t>(out, dim, index, src); return true;
    default: return false;
  }
}

}  // namespace tg
