#!/bin/sh
# `npm run bench:gpu`: tsgrad on WebGPU (Node + Dawn over Vulkan) against PyTorch CUDA on the same
# NVIDIA GPU. Runs from a copy of the repo with dist/ (npm run build) and .gpu-carry/
# (sh bench/gpu-carry.sh) beside it; needs no Node install, no npm and no network there.
# Results: $OUT (or /tmp/tsgrad-gpu-out)/tsgrad-gpu.json and gpu-bench.md. --quick: short cells.
set -eu
cd "$(dirname "$0")/.."
C=.gpu-carry
OUTDIR=${OUT:-/tmp/tsgrad-gpu-out}
QUICK=${1:-}
mkdir -p "$OUTDIR"
[ -f dist/bench/gpu.js ] || { echo "bench:gpu: dist/bench/gpu.js is missing: run npm run build (and carry dist/)"; exit 1; }
[ -f "$C/node.xz" ] || { echo "bench:gpu: $C/node.xz is missing: run sh bench/gpu-carry.sh (and carry $C/)"; exit 1; }

# Vulkan loader: unpacked from the carried .deb when the image has none.
if ! ldconfig -p | grep -q 'libvulkan.so.1'; then
  for f in "$C"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
# NVIDIA's ICD where the container runtime put it, when no loader search path holds one.
if ! ls /usr/share/vulkan/icd.d/*nvidia* /etc/vulkan/icd.d/*nvidia* >/dev/null 2>&1 && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi

W=/tmp/tsgrad-gpu
mkdir -p "$W"
python3 - "$C" "$W" <<'PY'
import lzma, shutil, sys, os
c, w = sys.argv[1], sys.argv[2]
for name in ('node', 'dawn.node'):
    with lzma.open(os.path.join(c, name + '.xz')) as src, open(os.path.join(w, name), 'wb') as dst:
        shutil.copyfileobj(src, dst)
os.chmod(os.path.join(w, 'node'), 0o755)
PY
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader || true
echo "node $("$W/node" --version)"
TSGRAD_DAWN_NODE="$W/dawn.node" "$W/node" --expose-gc dist/bench/gpu.js --out "$OUTDIR/tsgrad-gpu.json" $QUICK
python3 bench/gpu_torch.py "$OUTDIR/tsgrad-gpu.json" --out "$OUTDIR/gpu-bench.md" $QUICK
