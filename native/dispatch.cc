// The kernel dispatcher (see dispatch.h): checks a call against the kernel's entry in
// kernel_codes.h and the shape relations of the kernel table, then runs the kernel. Every
// C++ exception (std::bad_alloc from a vector or a Scratch buffer included) is caught here
// and becomes DISPATCH_ERROR with a message naming the kernel.
#include "dispatch.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <initializer_list>
#include <exception>
#include <new>

#include "kernels.h"

namespace tg {
namespace {

// Largest integer a float64 holds exactly: every count and index in meta must fit below it.
constexpr double MAX_EXACT = 9007199254740992.0;
// Most elements one view may address (broadcast views included): 2^40, far above any
// typed array, and small enough that no element count or offset overflows int64.
constexpr int64_t MAX_NUMEL = int64_t(1) << 40;

struct Ctx {
  int kernel;
  const KernelInfo* info;
  char* err;
  size_t errlen;
  const View* v;
  int nviews;
  const double* prm;
  size_t nprm;

  double P(size_t i) const { return i < nprm ? prm[i] : 0.0; }
  const char* vname(int i) const {
    const char* n = info && i >= 0 && i < KERNEL_MAX_VIEWS ? info->view_names[i] : nullptr;
    return n ? n : "?";
  }
};

// Writes "tsgrad native: <kernel>: <message>" into ctx.err and returns DISPATCH_ERROR.
__attribute__((format(printf, 2, 3))) int fail(const Ctx& c, const char* fmt, ...) {
  if (c.err == nullptr || c.errlen == 0) return DISPATCH_ERROR;
  int n = std::snprintf(c.err, c.errlen, "tsgrad native: %s: ", c.info ? c.info->name : "dispatch");
  if (n < 0) n = 0;
  if (static_cast<size_t>(n) < c.errlen) {
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(c.err + n, c.errlen - n, fmt, ap);
    va_end(ap);
  }
  return DISPATCH_ERROR;
}

bool is_count(double x) { return x >= 0 && x <= MAX_EXACT && x == std::floor(x); }
bool is_index(double x) { return std::fabs(x) <= MAX_EXACT && x == std::floor(x); }

// Every element the view can address lies inside its storage, computed without overflow.
bool in_bounds(const View& v) {
  if (v.offset < 0) return false;
  __int128 lo = v.offset, hi = v.offset;
  for (int d = 0; d < v.nd; d++) {
    if (v.shape[d] < 0) return false;
    if (v.shape[d] == 0) return true;  // empty: nothing is touched
    __int128 span = static_cast<__int128>(v.shape[d] - 1) * v.strides[d];
    if (span < 0) lo += span;
    else hi += span;
  }
  return lo >= 0 && hi < static_cast<__int128>(v.length);
}

// Element count, or -1 when it exceeds MAX_NUMEL.
int64_t bounded_numel(const View& v) {
  int64_t n = 1;
  for (int d = 0; d < v.nd; d++) {
    if (v.shape[d] == 0) return 0;
    if (v.shape[d] > MAX_NUMEL || n > MAX_NUMEL / v.shape[d]) {
      for (int e = d + 1; e < v.nd; e++)
        if (v.shape[e] == 0) return 0;
      return -1;
    }
    n *= v.shape[d];
  }
  return n;
}

bool same_shape(const View& a, const View& b) {
  if (a.nd != b.nd) return false;
  for (int d = 0; d < a.nd; d++)
    if (a.shape[d] != b.shape[d]) return false;
  return true;
}

void fmt_shape(const View& v, char* buf, size_t n) {
  size_t p = 0;
  p += std::snprintf(buf + p, n - p, "[");
  for (int d = 0; d < v.nd && p < n; d++) p += std::snprintf(buf + p, n - p, d ? ",%lld" : "%lld", static_cast<long long>(v.shape[d]));
  if (p < n) std::snprintf(buf + p, n - p, "]");
}

int shape_mismatch(const Ctx& c, int i, int j) {
  char a[200], b[200];
  fmt_shape(c.v[i], a, sizeof a);
  fmt_shape(c.v[j], b, sizeof b);
  return fail(c, "view '%s' has shape %s, expected %s (the shape of '%s')", c.vname(i), a, b, c.vname(j));
}

// Views [0, n) all have the shape of view n-1 (the output).
int check_same(const Ctx& c, int n) {
  for (int i = 0; i < n - 1; i++)
    if (!same_shape(c.v[i], c.v[n - 1])) return shape_mismatch(c, i, n - 1);
  return DISPATCH_RAN;
}

// A dim of a rank-nd view; a 0-d view has one implicit dim 0 (PyTorch: tensor(3.).sum(0)).
int check_dim(const Ctx& c, double d, int nd, const char* what) {
  if (nd == 0) nd = 1;
  if (!is_index(d) || d < 0 || d >= nd) return fail(c, "%s %g is out of range for rank %d", what, d, nd);
  return DISPATCH_RAN;
}

int check_op(const Ctx& c, double op, int count, const char* table) {
  if (!is_index(op) || op < 0 || op >= count) return fail(c, "unknown %s op code %g (known: 0..%d)", table, op, count - 1);
  return DISPATCH_RAN;
}

// out has x's rank, 1 on the reduced dims and x's size elsewhere.
int check_reduced(const Ctx& c, const View& x, const View& out, const bool* reduced) {
  if (out.nd != x.nd) return fail(c, "view 'out' has rank %d, expected %d (the rank of 'x')", out.nd, x.nd);
  for (int d = 0; d < x.nd; d++) {
    const int64_t want = reduced[d] ? 1 : x.shape[d];
    if (out.shape[d] != want) return fail(c, "view 'out' has size %lld on dim %d, expected %lld", static_cast<long long>(out.shape[d]), d, static_cast<long long>(want));
  }
  return DISPATCH_RAN;
}

int check_rank(const Ctx& c, int i, int nd) {
  if (c.v[i].nd != nd) return fail(c, "view '%s' has rank %d, expected %d", c.vname(i), c.v[i].nd, nd);
  return DISPATCH_RAN;
}

// Output size of a window: floor((in + 2 pad - extent) / stride) + 1, or -1 when the window does not fit.
int64_t out_size(int64_t in, int64_t pad, int64_t extent, int64_t stride) {
  const int64_t span = in + 2 * pad - extent;
  return span < 0 ? -1 : span / stride + 1;
}

bool params_ints(const Ctx& c, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_index(c.P(i))) return false;
  return true;
}

// x [N,C,H,W] (view xi), w [O,C/g,KH,KW] (wi), y [N,O,OH,OW] (yi); params stride, pad, dilation, groups.
int check_conv(const Ctx& c, int xi, int wi, int yi, int bi) {
  for (int i : {xi, wi, yi})
    if (check_rank(c, i, 4) < 0) return DISPATCH_ERROR;
  if (!params_ints(c, 7)) return fail(c, "conv2d parameters must be integers");
  const int64_t sh = c.P(0), sw = c.P(1), ph = c.P(2), pw = c.P(3), dh = c.P(4), dw = c.P(5), g = c.P(6);
  if (sh < 1 || sw < 1 || dh < 1 || dw < 1 || ph < 0 || pw < 0 || g < 1)
    return fail(c, "bad geometry: stride %lld,%lld padding %lld,%lld dilation %lld,%lld groups %lld", (long long)sh, (long long)sw, (long long)ph,
                (long long)pw, (long long)dh, (long long)dw, (long long)g);
  const View &x = c.v[xi], &w = c.v[wi], &y = c.v[yi];
  const int64_t N = x.shape[0], C = x.shape[1], O = w.shape[0];
  if (C % g || O % g) return fail(c, "channels %lld and %lld are not divisible by groups %lld", (long long)C, (long long)O, (long long)g);
  if (w.shape[1] != C / g) return fail(c, "view '%s' has %lld input channels, expected %lld", c.vname(wi), (long long)w.shape[1], (long long)(C / g));
  const int64_t OH = out_size(x.shape[2], ph, dh * (w.shape[2] - 1) + 1, sh);
  const int64_t OW = out_size(x.shape[3], pw, dw * (w.shape[3] - 1) + 1, sw);
  if (y.shape[0] != N || y.shape[1] != O || y.shape[2] != OH || y.shape[3] != OW || OH < 0 || OW < 0) {
    char s[200];
    fmt_shape(y, s, sizeof s);
    return fail(c, "view '%s' has shape %s, expected [%lld,%lld,%lld,%lld]", c.vname(yi), s, (long long)N, (long long)O, (long long)OH, (long long)OW);
  }
  if (bi >= 0 && bi < c.nviews && (c.v[bi].nd != 1 || c.v[bi].shape[0] != O)) return fail(c, "view 'bias' must be [%lld]", (long long)O);
  return DISPATCH_RAN;
}

// x [N,C,H,W] (view xi) -> y [N,C,OH,OW] (yi); params kernel, stride, pad, countIncludePad.
int check_pool(const Ctx& c, int xi, int yi) {
  if (check_rank(c, xi, 4) < 0 || check_rank(c, yi, 4) < 0) return DISPATCH_ERROR;
  if (!params_ints(c, 6)) return fail(c, "pool2d parameters must be integers");
  const int64_t kh = c.P(0), kw = c.P(1), sh = c.P(2), sw = c.P(3), ph = c.P(4), pw = c.P(5);
  if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0) return fail(c, "bad geometry: kernel %lld,%lld stride %lld,%lld padding %lld,%lld",
                                                                           (long long)kh, (long long)kw, (long long)sh, (long long)sw, (long long)ph, (long long)pw);
  const View &x = c.v[xi], &y = c.v[yi];
  const int64_t OH = out_size(x.shape[2], ph, kh, sh), OW = out_size(x.shape[3], pw, kw, sw);
  if (y.shape[0] != x.shape[0] || y.shape[1] != x.shape[1] || y.shape[2] != OH || y.shape[3] != OW || OH < 0 || OW < 0) {
    char s[200];
    fmt_shape(y, s, sizeof s);
    return fail(c, "view '%s' has shape %s, expected [%lld,%lld,%lld,%lld]", c.vname(yi), s, (long long)x.shape[0], (long long)x.shape[1], (long long)OH,
                (long long)OW);
  }
  return DISPATCH_RAN;
}

// Each int32 index of a dense view lies in [0, limit).
bool indices_in(const View& idx, int64_t limit) {
  if (idx.dtype != I32) return false;
  const int64_t n = idx.numel();
  int64_t s = 1;
  for (int d = idx.nd - 1; d >= 0; d--) {
    if (idx.shape[d] != 1 && idx.strides[d] != s) return false;
    s *= idx.shape[d];
  }
  const int32_t* p = idx.ptr<int32_t>();
  for (int64_t i = 0; i < n; i++)
    if (p[i] < 0 || p[i] >= limit) return false;
  return true;
}

// Shape relations and parameter ranges the kernels rely on (kernels.ts is the spec).
int check_call(const Ctx& c) {
  const View* v = c.v;
  switch (c.kernel) {
    case K_COPY: return check_same(c, 2);
    case K_FILL: return DISPATCH_RAN;
    case K_UNARY:
      if (check_op(c, c.P(0), U_COUNT, "unary") < 0) return DISPATCH_ERROR;
      return check_same(c, 2);
    case K_BINARY:
      if (check_op(c, c.P(0), B_COUNT, "binary") < 0) return DISPATCH_ERROR;
      return check_same(c, 3);
    case K_WHERE: return check_same(c, 4);
    case K_ACTIVATION_BACKWARD:
      if (check_op(c, c.P(0), A_COUNT, "activation") < 0) return DISPATCH_ERROR;
      return check_same(c, 4);
    case K_SOFTMAX:
      if (check_dim(c, c.P(0), v[0].nd, "dim") < 0) return DISPATCH_ERROR;
      return check_same(c, 2);
    case K_SOFTMAX_BACKWARD:
      if (check_dim(c, c.P(0), v[0].nd, "dim") < 0) return DISPATCH_ERROR;
      return check_same(c, 3);
    case K_REDUCE: {
      if (check_op(c, c.P(0), R_COUNT, "reduce") < 0) return DISPATCH_ERROR;
      const double nd = c.P(1);
      if (!is_count(nd) || nd > (v[0].nd ? v[0].nd : 1) || c.nprm < 2 + static_cast<size_t>(nd)) return fail(c, "bad dims count %g", nd);
      bool reduced[MAX_DIMS] = {false};
      for (int i = 0; i < int(nd); i++) {
        if (check_dim(c, c.P(2 + i), v[0].nd, "dim") < 0) return DISPATCH_ERROR;
        if (reduced[int(c.P(2 + i))]) return fail(c, "dim %g is listed twice", c.P(2 + i));
        reduced[int(c.P(2 + i))] = true;
      }
      return check_reduced(c, v[0], v[1], reduced);
    }
    case K_ARG_REDUCE: {
      if (check_op(c, c.P(0), AR_COUNT, "argReduce") < 0 || check_dim(c, c.P(1), v[0].nd, "dim") < 0) return DISPATCH_ERROR;
      bool reduced[MAX_DIMS] = {false};
      reduced[int(c.P(1))] = true;
      return check_reduced(c, v[0], v[1], reduced);
    }
    case K_MATMUL: {
      for (int i = 0; i < 3; i++)
        if (check_rank(c, i, 3) < 0) return DISPATCH_ERROR;
      const View &a = v[0], &b = v[1], &o = v[2];
      if (a.shape[0] != b.shape[0] || a.shape[2] != b.shape[1] || o.shape[0] != a.shape[0] || o.shape[1] != a.shape[1] || o.shape[2] != b.shape[2]) {
        char sa[200], sb[200], so[200];
        fmt_shape(a, sa, sizeof sa);
        fmt_shape(b, sb, sizeof sb);
        fmt_shape(o, so, sizeof so);
        return fail(c, "views a %s, b %s, out %s do not fit [B,M,K] x [B,K,N] -> [B,M,N]", sa, sb, so);
      }
      return DISPATCH_RAN;
    }
    case K_CONV2D: return check_conv(c, 0, 1, 2, 3);
    case K_CONV2D_BACKWARD_INPUT: return check_conv(c, 2, 1, 0, -1);
    case K_CONV2D_BACKWARD_WEIGHT: return check_conv(c, 0, 2, 1, -1);
    case K_MAX_POOL2D:
      if (check_pool(c, 0, 1) < 0) return DISPATCH_ERROR;
      if (!same_shape(v[2], v[1])) return shape_mismatch(c, 2, 1);
      return DISPATCH_RAN;
    case K_MAX_POOL2D_BACKWARD:
      if (check_pool(c, 2, 0) < 0) return DISPATCH_ERROR;
      if (!same_shape(v[1], v[0])) return shape_mismatch(c, 1, 0);
      // The kernel scatters through argmax: every entry must point inside its plane.
      if (v[1].dtype == I32 && v[2].nd == 4 && !indices_in(v[1], v[2].shape[2] * v[2].shape[3]))
        return fail(c, "view 'argmax' must be a contiguous int32 view of indices in [0, H*W)");
      return DISPATCH_RAN;
    case K_AVG_POOL2D: return check_pool(c, 0, 1);
    case K_AVG_POOL2D_BACKWARD: return check_pool(c, 1, 0);
    case K_GATHER:
    case K_SCATTER_ADD: {
      // The kernels check shapes and index values themselves and decline what they do not take.
      const View& x = v[0];
      if (check_dim(c, c.P(0), x.nd, "dim") < 0) return DISPATCH_ERROR;
      if (!same_shape(v[1], v[2])) return shape_mismatch(c, 2, 1);
      if (v[1].nd != x.nd) return fail(c, "view 'index' has rank %d, expected %d", v[1].nd, x.nd);
      return DISPATCH_RAN;
    }
    case K_CHANNEL_AFFINE:
      if (c.nviews == 5) return fail(c, "views 'y' and 'b' come together (got 5 views)");
      return DISPATCH_RAN;
    default:
      // channelStats, channelGradSums, adamStep, sgdStep check their layouts and decline the rest.
      return DISPATCH_RAN;
  }
}

int run_kernel(const Ctx& c) {
  const View* v = c.v;
  auto conv = [&]() {
    return Conv2dParams{int64_t(c.P(0)), int64_t(c.P(1)), int64_t(c.P(2)), int64_t(c.P(3)), int64_t(c.P(4)), int64_t(c.P(5)), int64_t(c.P(6))};
  };
  auto pool = [&]() {
    return Pool2dParams{int64_t(c.P(0)), int64_t(c.P(1)), int64_t(c.P(2)), int64_t(c.P(3)), int64_t(c.P(4)), int64_t(c.P(5)), c.P(6) != 0};
  };
  const int nv = c.nviews;
  bool ok = false;
  switch (c.kernel) {
    case K_COPY: k_copy(v[0], v[1]); ok = true; break;
    case K_FILL: k_fill(v[0], c.P(0)); ok = true; break;
    case K_UNARY: ok = k_unary(int(c.P(0)), v[0], v[1], c.P(1), c.P(2)); break;
    case K_BINARY: ok = k_binary(int(c.P(0)), v[0], v[1], v[2]); break;
    case K_WHERE: ok = k_where(v[0], v[1], v[2], v[3]); break;
    case K_REDUCE: {
      int dims[MAX_DIMS];
      const int nd = int(c.P(1));
      for (int i = 0; i < nd; i++) dims[i] = int(c.P(2 + i));
      ok = k_reduce(int(c.P(0)), v[0], dims, nd, v[1]);
      break;
    }
    case K_ARG_REDUCE: ok = k_arg_reduce(c.P(0) == AR_ARGMAX, v[0], int(c.P(1)), v[1]); break;
    case K_MATMUL: ok = k_matmul(v[0], v[1], v[2]); break;
    case K_CONV2D: ok = k_conv2d(v[0], v[1], v[2], conv(), nv == 4 ? &v[3] : nullptr); break;
    case K_CONV2D_BACKWARD_INPUT: ok = k_conv2d_backward_input(v[0], v[1], v[2], conv()); break;
    case K_CONV2D_BACKWARD_WEIGHT: ok = k_conv2d_backward_weight(v[0], v[1], v[2], conv()); break;
    case K_MAX_POOL2D: ok = k_max_pool2d(v[0], v[1], v[2], pool()); break;
    case K_MAX_POOL2D_BACKWARD: ok = k_max_pool2d_backward(v[0], v[1], v[2], pool()); break;
    case K_AVG_POOL2D: ok = k_avg_pool2d(v[0], v[1], pool()); break;
    case K_AVG_POOL2D_BACKWARD: ok = k_avg_pool2d_backward(v[0], v[1], pool()); break;
    case K_GATHER: ok = k_gather(v[0], int(c.P(0)), v[1], v[2]); break;
    case K_SCATTER_ADD: ok = k_scatter_add(v[0], int(c.P(0)), v[1], v[2]); break;
    case K_ADAM_STEP: {
      AdamParams h{c.P(0), c.P(1), c.P(2), c.P(3), c.P(4), c.P(5), c.P(6), c.P(7) != 0, c.P(8) != 0};
      ok = k_adam_step(v[0], v[1], v[2], v[3], nv > 4 ? &v[4] : nullptr, h);
      break;
    }
    case K_SGD_STEP: {
      SgdParams h{c.P(0), c.P(1), c.P(2), c.P(3), c.P(4) != 0, c.P(5) != 0, c.P(6) != 0};
      ok = k_sgd_step(v[0], v[1], nv > 2 ? &v[2] : nullptr, h);
      break;
    }
    case K_CHANNEL_STATS: ok = k_channel_stats(v[0], v[1], v[2]); break;
    case K_CHANNEL_GRAD_SUMS: ok = k_channel_grad_sums(v[0], v[1], v[2], v[3], v[4]); break;
    case K_CHANNEL_AFFINE: ok = k_channel_affine(v[0], v[1], v[2], v[3], nv == 6 ? &v[4] : nullptr, nv == 6 ? &v[5] : nullptr); break;
    case K_ACTIVATION_BACKWARD: ok = k_activation_backward(int(c.P(0)), v[0], v[1], v[2], v[3], c.P(1)); break;
    case K_SOFTMAX: ok = k_softmax(v[0], int(c.P(0)), c.P(1) != 0, v[1]); break;
    case K_SOFTMAX_BACKWARD: ok = k_softmax_backward(v[0], v[1], int(c.P(0)), c.P(1) != 0, v[2]); break;
    default: return fail(c, "no case for kernel code %d", c.kernel);  // kernel_codes.h and this switch disagree
  }
  return ok ? DISPATCH_RAN : DISPATCH_NOT_HANDLED;
}

}  // namespace

const char* kernel_name(int kernel) noexcept { return kernel >= 0 && kernel < K_COUNT ? KERNEL_INFO[kernel].name : "?"; }

int dispatch(int kernel, View* views, int nviews, const double* params, size_t nparams, char* err, size_t errlen) noexcept {
  Ctx c{kernel, nullptr, err, errlen, views, nviews, params, params ? nparams : 0};
  if (kernel < 0 || kernel >= K_COUNT) return fail(c, "unknown kernel code %d (known: 0..%d)", kernel, K_COUNT - 1);
  c.info = &KERNEL_INFO[kernel];
  if (nviews < c.info->min_views || nviews > c.info->max_views)
    return fail(c, "got %d views, expected %d..%d", nviews, c.info->min_views, c.info->max_views);
  if (c.nprm < static_cast<size_t>(c.info->min_params)) return fail(c, "got %zu parameters, expected at least %d", c.nprm, c.info->min_params);
  for (int i = 0; i < nviews; i++) {
    const View& v = views[i];
    if (v.nd < 0 || v.nd > MAX_DIMS) return fail(c, "view '%s' has rank %d; native kernels take at most %d dims", c.vname(i), v.nd, MAX_DIMS);
    if (v.data == nullptr && v.length > 0) return fail(c, "view '%s' has no storage", c.vname(i));
    if (bounded_numel(v) < 0) return fail(c, "view '%s' has more than 2^40 elements", c.vname(i));
    if (!in_bounds(v)) return fail(c, "view '%s' reaches outside its storage of %zu elements", c.vname(i), v.length);
  }
  try {
    const int r = check_call(c);
    if (r < 0) return r;
    return run_kernel(c);
  } catch (const std::bad_alloc&) {
    return fail(c, "out of memory");
  } catch (const std::exception& e) {
    return fail(c, "C++ exception: %s", e.what());
  } catch (...) {
    return fail(c, "unknown C++ exception");
  }
}

int dispatch_meta(int kernel, const double* meta, size_t metaLen, void* const* data, const size_t* lengths, const int* dtypes, int ndata, char* err,
                  size_t errlen) noexcept {
  Ctx c{kernel, kernel >= 0 && kernel < K_COUNT ? &KERNEL_INFO[kernel] : nullptr, err, errlen, nullptr, 0, nullptr, 0};
  if (meta == nullptr || metaLen < 1 || !is_count(meta[0])) return fail(c, "malformed view metadata: no view count");
  const double nv = meta[0];
  if (nv > KERNEL_MAX_VIEWS || nv != ndata) return fail(c, "view count %g does not match the %d data arguments", nv, ndata);
  View views[KERNEL_MAX_VIEWS];
  size_t pos = 1;
  for (int i = 0; i < ndata; i++) {
    View& v = views[i];
    if (pos >= metaLen || !is_count(meta[pos])) return fail(c, "malformed view metadata: rank of view %d", i);
    const double nd = meta[pos++];
    if (nd > MAX_DIMS) return fail(c, "view '%s' has rank %g; native kernels take at most %d dims", c.vname(i), nd, MAX_DIMS);
    v.nd = static_cast<int>(nd);
    if (pos + 2 * v.nd + 1 > metaLen) return fail(c, "malformed view metadata: view %d is cut short", i);
    for (int d = 0; d < v.nd; d++) {
      const double s = meta[pos++];
      if (!is_count(s)) return fail(c, "view '%s' has size %g on dim %d (sizes are integers >= 0)", c.vname(i), s, d);
      v.shape[d] = static_cast<int64_t>(s);
    }
    if (!is_count(meta[pos])) return fail(c, "view '%s' has offset %g (offsets are integers >= 0)", c.vname(i), meta[pos]);
    v.offset = static_cast<int64_t>(meta[pos++]);
    for (int d = 0; d < v.nd; d++) {
      const double s = meta[pos++];
      if (!is_index(s)) return fail(c, "view '%s' has stride %g on dim %d (strides are integers)", c.vname(i), s, d);
      v.strides[d] = static_cast<int64_t>(s);
    }
    if (dtypes[i] < F32 || dtypes[i] > BOOL) return fail(c, "view '%s' has unknown dtype %d", c.vname(i), dtypes[i]);
    v.dtype = static_cast<DType>(dtypes[i]);
    v.data = data[i];
    v.length = lengths[i];
  }
  return dispatch(kernel, views, ndata, meta + pos, metaLen - pos, err, errlen);
}

}  // namespace tg
