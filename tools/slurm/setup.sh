#!/usr/bin/env bash
# Installs Slurm from Debian's packages (slurmctld, slurmd, slurm-client, munge) and starts a
# single-node cluster on loopback: one node "localhost", one partition "debug", no cgroups, no
# accounting. Idempotent: re-running it on a running cluster only checks that the node is up.
#
# Must run as root (it installs packages, writes /etc/slurm/slurm.conf and runs the daemons as root).
# Exit codes: 0 cluster ready; 3 packages could not be installed (apt unreachable); 1 anything else.
#
# Environment: TSGRAD_SLURM_DIR (state/log folder, default /tmp/tsgrad-slurm),
#              TSGRAD_SLURM_CPUS (CPUs of the node, default: nproc).
set -euo pipefail

DIR="${TSGRAD_SLURM_DIR:-/tmp/tsgrad-slurm}"
CPUS="${TSGRAD_SLURM_CPUS:-$(nproc)}"
CONF=/etc/slurm/slurm.conf
MARK="# written by tsgrad tools/slurm/setup.sh"

log() { echo "[slurm-setup] $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (installs packages, writes $CONF, starts daemons)"; exit 1
fi

# 1. Packages. DPkg::Lock::Timeout waits for another apt to finish instead of failing at once.
need=()
for b in slurmctld slurmd sbatch munged; do command -v "$b" >/dev/null 2>&1 || need+=("$b"); done
if [ "${#need[@]}" -gt 0 ]; then
  log "installing slurmctld slurmd slurm-client munge (missing: ${need[*]})"
  export DEBIAN_FRONTEND=noninteractive
  # policy-rc.d stops the packages' init scripts from starting daemons with the default config.
  had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
  if [ "$had_policy" -eq 0 ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
  ok=1
  apt-get -o DPkg::Lock::Timeout=600 update -q >"$DIR.apt.log" 2>&1 || ok=0
  if [ "$ok" -eq 1 ]; then
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
      slurmctld slurmd slurm-client munge >>"$DIR.apt.log" 2>&1 || ok=0
  fi
  [ "$had_policy" -eq 0 ] && rm -f /usr/sbin/policy-rc.d
  if [ "$ok" -eq 0 ]; then
    log "apt-get could not install Slurm (see $DIR.apt.log):"; tail -5 "$DIR.apt.log" >&2 || true
    exit 3
  fi
fi

mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"

# 2. Munge: a key (the package usually creates one) and the daemon, run as the munge user.
if [ ! -s /etc/munge/munge.key ]; then
  log "creating /etc/munge/munge.key"
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n >/dev/null 2>&1; then
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null || { log "munged does not answer"; exit 1; }
fi

# 3. slurm.conf: never overwrite a configuration someone else wrote.
if [ -e "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
  log "$CONF exists and was not written by this script; refusing to overwrite it"; exit 1
fi
HOST="$(hostname -s)"
mkdir -p /etc/slurm
tmp="$(mktemp /etc/slurm/.slurm.conf.XXXXXX)"
cat >"$tmp" <<CONFEOF
$MARK
ClusterName=tsgrad
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=3600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONFEOF
chmod 644 "$tmp"; mv "$tmp" "$CONF"

# 4. Daemons. scontrol ping tells whether slurmctld answers.
if ! scontrol ping 2>/dev/null | grep -q 'is UP'; then
  log "starting slurmctld"
  slurmctld -i
fi
if ! pgrep -F "$DIR/slurmd.pid" >/dev/null 2>&1; then
  log "starting slurmd"
  slurmd -N localhost
fi

# 5. Wait until the node is idle (or mixed/allocated by earlier jobs).
for i in $(seq 120); do
  state="$(sinfo -h -n localhost -o '%T' 2>/dev/null | head -1 || true)"
  case "$state" in
    idle|mixed|allocated|completing) log "node localhost is $state: cluster ready"; exit 0 ;;
    down*|drain*) scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 0.5
done
log "node did not become idle (state: ${state:-none}); logs in $DIR/log"
tail -20 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2 || true
exit 1
