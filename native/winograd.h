// Winograd F(2x2, 3x3) convolutions (winograd.cc): float32, 3x3 kernel, stride 1, no
// dilation, one group, padding 0..2 on both axes; contiguous NCHW tensors.
#pragma once
#include <cstdint>

namespace tg {

// y [N, O, OH, OW] = conv(x [N, C, H, W], w [O, C, 3, 3], padding pad) (+ bias[o * bs] when bias).
void winograd_forward(const float* x, const float* w, float* y, int64_t N, int64_t C, int64_t H, int64_t W, int64_t O, int64_t OH,
                      int64_t OW, int64_t pad, const float* bias, int64_t bs);
// gx [N, C, H, W] = the gradient of that convolution with respect to x, from gy [N, O, OH, OW].
void winograd_backward_input(const float* gy, const float* w, float* gx, int64_t N, int64_t C, int64_t H, int64_t W, int64_t O,
                             int64_t OH, int64_t OW, int64_t pad);
// gw [O, C, 3, 3] = the gradient of that convolution with respect to w, from x and gy.
void winograd_backward_weight(const float* x, const float* gy, float* gw, int64_t N, int64_t C, int64_t H, int64_t W, int64_t O,
                              int64_t OH, int64_t OW, int64_t pad);

}  // namespace tg
