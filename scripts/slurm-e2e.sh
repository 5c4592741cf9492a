#!/usr/bin/env bash
# slurm-e2e.sh — the sharded scan on a real scheduler, end to end.
#
#   scripts/slurm-e2e.sh [--corpus DIR] [--shards N] [--bin PATH] [--keep]
#
# 1. Installs Debian's slurm-wlm and munge (apt-get, only when missing; run as
#    root, or with sudo available).
# 2. Starts a single-node Slurm cluster on localhost: munged (with a generated
#    key, unless one is already running), slurmctld and slurmd, from a private
#    slurm.conf in a temporary directory (state, spool, logs and pid files
#    there too; /etc/slurm is not touched). Recipe: docs/SCALE.md.
# 3. Builds the release binary if needed (cargo build --release), unless --bin.
# 4. Runs the single-machine reference: policyscan scan CORPUS --format json
#    --no-cache.
# 5. Submits the sharded scan as a job array: `sbatch --array=1-N --wait
#    scripts/policyscan.sbatch ...`, each task running `policyscan scan CORPUS
#    --shard $SLURM_ARRAY_TASK_ID/N --format jsonl --cache DIR` with the cache
#    in one shared directory.
# 6. Merges the parts with `policyscan merge` and compares the result with the
#    reference byte for byte (cmp).
# It prints one `slurm-e2e: PASS ...` or `slurm-e2e: FAIL ...` line; the exit
# status is 0 on PASS. On exit (success, failure or interrupt) it stops the
# daemons it started, by pid, and removes its temporary directory (--keep
# keeps it, for the logs).
#
# Defaults: --corpus ../shared/corpus/real (from the repository root),
# --shards 4. Environment: SLURM_E2E_CTLD_PORT / SLURM_E2E_SLURMD_PORT
# (default 6817 / 6818).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

CORPUS=../shared/corpus/real SHARDS=4 BIN="" KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS=$2; shift 2 ;;
    --shards) SHARDS=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "slurm-e2e: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -d "$CORPUS" ] || { echo "slurm-e2e: FAIL corpus $CORPUS is not a directory"; exit 2; }
case "$SHARDS" in ''|*[!0-9]*|0) echo "slurm-e2e: FAIL --shards must be a positive integer"; exit 2 ;; esac

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "slurm-e2e: $*"; }
VERDICT=""        # set once a PASS or FAIL line is printed
fail() { VERDICT=FAIL; log "FAIL $*"; }
T0=$(now)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { fail "not root and no sudo"; exit 2; }
  SUDO="sudo"
fi

# --- 1. packages ------------------------------------------------------------
need=()
for p in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${need[@]}" >/tmp/slurm-e2e-apt.log
fi
T_APT=$(now)

# --- 2. cluster ---------------------------------------------------------------
WORK=$(mktemp -d /tmp/slurm-e2e.XXXXXX)
chmod 0755 "$WORK"
STARTED_PIDS=""   # daemons this script started (slurmd, slurmctld, munged)

cleanup() {
  local rc=$? pids="" p alive
  # Read the pids first: the daemons remove their pid files as shutdown
  # begins, a second or two before they exit.
  for pf in "$WORK/slurmd.pid" "$WORK/slurmctld.pid"; do
    [ -s "$pf" ] && pids="$pids $(cat "$pf")"
  done
  pids="$pids $STARTED_PIDS"
  pids=$(echo $pids | tr ' ' '\n' | sort -u | tr '\n' ' ')
  if [ -n "${pids// /}" ]; then
    $SUDO kill $pids 2>/dev/null || true
    for _ in $(seq 1 40); do
      alive=""
      for p in $pids; do $SUDO kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
      [ -z "$alive" ] && break
      sleep 0.25
    done
    if [ -n "$alive" ]; then
      log "daemons still alive:$alive, sending SIGKILL"
      $SUDO kill -9 $alive 2>/dev/null || true
    fi
    log "stopped daemons (pids$(printf ' %s' $pids))"
  fi
  if [ "$KEEP" = 1 ]; then log "kept $WORK"; else $SUDO rm -rf "$WORK"; fi
  if [ "$rc" -ne 0 ] && [ -z "$VERDICT" ]; then
    log "FAIL (exit status $rc at line ${FAIL_LINE:-?}; rerun with --keep for the logs)"
  fi
  exit $rc
}
trap 'FAIL_LINE=$LINENO' ERR
trap cleanup EXIT
trap 'exit 130' INT TERM

# munge: use a running munged, or start one with a generated key.
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  log "munged already running; using it"
else
  if ! $SUDO test -s /etc/munge/munge.key; then
    $SUDO mungekey --create --keyfile /etc/munge/munge.key
  fi
  $SUDO chown munge:munge /etc/munge/munge.key
  $SUDO chmod 0400 /etc/munge/munge.key
  $SUDO install -d -o munge -g munge -m 0755 /run/munge
  $SUDO rm -f /run/munge/munged.pid
  $SUDO runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 1 40); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
  STARTED_PIDS="$STARTED_PIDS $(cat /run/munge/munged.pid)"
  munge -n | unmunge >/dev/null
  log "started munged"
fi

CTLD_PORT=${SLURM_E2E_CTLD_PORT:-6817}
SLURMD_PORT=${SLURM_E2E_SLURMD_PORT:-6818}
for port in "$CTLD_PORT" "$SLURMD_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port is in use (another Slurm?); set SLURM_E2E_CTLD_PORT / SLURM_E2E_SLURMD_PORT"
    exit 1
  fi
done

CPUS=$(nproc)
MEM=$(( $(free -m | awk '/^Mem:/{print $2}') * 9 / 10 ))
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/out" "$WORK/cache"
export SLURM_CONF="$WORK/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=policyscan-e2e
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
NodeName=localhost CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

# -i: ignore any saved state (there is none in a fresh $WORK/state anyway).
$SUDO env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmctld -i -f "$SLURM_CONF"
$SUDO env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmd -N localhost -f "$SLURM_CONF"
for _ in $(seq 1 120); do
  sinfo -h -N -o '%t' 2>/dev/null | grep -qx idle && break
  sleep 0.25
done
if ! sinfo -h -N -o '%t' 2>/dev/null | grep -qx idle; then
  fail "node did not become idle"
  sinfo -N || true
  tail -n 20 "$WORK/slurmctld.log" "$WORK/slurmd.log" 2>/dev/null || true
  exit 1
fi
T_UP=$(now)
sinfo

# --- 3. binary ----------------------------------------------------------------
if [ -z "$BIN" ]; then
  cargo build --release --quiet
  BIN=target/release/policyscan
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
T_BUILD=$(now)

# --- 4. single-machine reference ----------------------------------------------
"$BIN" scan "$CORPUS" --format json --no-cache --quiet > "$WORK/single.json"
T_REF=$(now)

# --- 5. job array ---------------------------------------------------------------
# scripts/policyscan.sbatch, the script README.md shows. Tasks run in the
# submission directory (the repository root), so the paths they report are
# the same as the reference's. One CPU per task: on a small node, several
# tasks run at once.
log "submitting $SHARDS-task array"
set +e
JID=$(sbatch --parsable --wait --array="1-$SHARDS" --cpus-per-task=1 \
  --output="$WORK/out/slurm-%A_%a.log" --export="ALL,POLICYSCAN=$BIN" \
  scripts/policyscan.sbatch "$CORPUS" "$WORK/cache" "$WORK/out")
SB=$?
set -e
T_ARRAY=$(now)
log "job $JID done"
if [ "$SB" -ne 0 ]; then
  fail "sbatch --wait exited $SB"
  cat "$WORK"/out/slurm-*.log 2>/dev/null || true
  exit 1
fi

# --- 6. merge and compare ---------------------------------------------------------
parts=()
for k in $(seq 1 "$SHARDS"); do
  f="$WORK/out/part-$k.jsonl"
  [ -s "$f" ] || { fail "task $k wrote no part ($f)"; cat "$WORK"/out/slurm-*.log; exit 1; }
  parts+=("$f")
done
"$BIN" merge "${parts[@]}" > "$WORK/merged.json"
T_MERGE=$(now)

docs=$(grep -c '"type":"document"' "${parts[@]}" | awk -F: '{ s += $NF } END { print s }')
per_part=$(for f in "${parts[@]}"; do grep -c '"type":"document"' "$f"; done | paste -sd/)
cache_entries=$(find "$WORK/cache" -type f -name '*.json' | wc -l)
log "parts: $per_part documents ($docs in all); shared cache: $cache_entries entries"
log "timings: apt $(secs "$T0" "$T_APT")s, cluster up $(secs "$T_APT" "$T_UP")s," \
  "build $(secs "$T_UP" "$T_BUILD")s, single-machine scan $(secs "$T_BUILD" "$T_REF")s," \
  "array (sbatch --wait) $(secs "$T_REF" "$T_ARRAY")s, merge $(secs "$T_ARRAY" "$T_MERGE")s," \
  "total $(secs "$T0" "$T_MERGE")s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
# What the array itself took: sbatch --wait polls with a back-off (2 s, 8 s,
# 32 s, ...), so its return can come well after the last task ended.
span=$(scontrol -o show job "${JID%%;*}" 2>/dev/null | python3 -c '
import sys, datetime as d
t = lambda s: d.datetime.fromisoformat(s)
st, en = [], []
for line in sys.stdin:
    f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    if f.get("StartTime", "Unknown") != "Unknown" and f.get("EndTime", "Unknown") != "Unknown":
        st.append(t(f["StartTime"])); en.append(t(f["EndTime"]))
        print("  task %s: %s %s-%s" % (f.get("ArrayTaskId"), f.get("JobState"), f["StartTime"][11:], f["EndTime"][11:]), file=sys.stderr)
print(int((max(en) - min(st)).total_seconds()) if st else "?")
' 2>&1 || echo "?")
log "array tasks (scontrol; whole seconds):"
echo "$span" | sed '$d'
log "first task start to last task end: $(echo "$span" | tail -n 1)s"
if cmp "$WORK/single.json" "$WORK/merged.json"; then
  VERDICT=PASS
  log "PASS merged $SHARDS-task Slurm array output equals the single-machine report ($(wc -c < "$WORK/merged.json") bytes, $docs documents)"
else
  KEEP=1
  fail "merged output differs from the single-machine report (kept $WORK)"
  exit 1
fi
