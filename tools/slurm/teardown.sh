#!/usr/bin/env bash
# Stops the single-node cluster started by tools/slurm/setup.sh: cancels its jobs and stops slurmd,
# slurmctld and munged (by their pid files). Packages and /etc/slurm/slurm.conf stay; pass --purge to
# also delete the state folder.
set -uo pipefail
DIR="${TSGRAD_SLURM_DIR:-/tmp/tsgrad-slurm}"
log() { echo "[slurm-teardown] $*" >&2; }

command -v scancel >/dev/null 2>&1 && scancel --full --quiet --user=root 2>/dev/null || true
stop() { # $1 name, $2 pid file; the daemon removes its pid file as it exits, so read it once
  local pid
  pid="$(cat "$2" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping $1 ($pid)"; kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}
stop slurmd "$DIR/slurmd.pid"
stop slurmctld "$DIR/slurmctld.pid"
stop munged /run/munge/munged.pid
if [ "${1:-}" = "--purge" ]; then rm -rf "$DIR"; log "removed $DIR"; fi
exit 0
