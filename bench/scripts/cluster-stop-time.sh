#!/usr/bin/env bash
# Times what a user sees: `cluster --nodes 3` started, all three nodes healthy, then Ctrl+C (SIGINT to the
# process group, as a terminal sends it) until the command has exited. Counts ERROR and stack-trace lines.
# Usage: bench/scripts/cluster-stop-time.sh [runs]   (after `dotnet build -c Release src/P2PActors.Node`)
set -u
# Job control: without it, bash starts background jobs with SIGINT ignored, and the Ctrl+C would never arrive.
set -m
root=$(cd "$(dirname "$0")/../.." && pwd)
dll=${P2P_NODE_DLL:-$root/src/P2PActors.Node/bin/Release/net10.0/P2PActors.Node.dll}
runs=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for run in $(seq 1 "$runs"); do
  rm -rf "$work/data"; mkdir -p "$work/data"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd "$work/data" && exec dotnet "$dll" cluster --nodes 3) >"$work/run.log" 2>&1 &
  pid=$!
  t0=$(date +%s.%N)
  for _ in $(seq 1 600); do
    ok=0
    for port in 5080 5081 5082; do curl -sf -o /dev/null "localhost:$port/health" && ok=$((ok + 1)); done
    [ "$ok" = 3 ] && break
    sleep 0.2
  done
  t1=$(date +%s.%N)
  sleep 5 # let the members settle into Up before the stop, as a user would
  s0=$(date +%s.%N)
  kill -INT -- -"$pid"
  wait "$pid"; rc=$?
  s1=$(date +%s.%N)
  printf 'run %s: healthy after %.1f s; stop took %.1f s; exit %s; ERROR lines %s; stack-trace lines %s\n' \
    "$run" "$(echo "$t1 - $t0" | bc)" "$(echo "$s1 - $s0" | bc)" "$rc" \
    "$(grep -cE ' (ERR|ERROR|FTL)\]' "$work/run.log")" "$(grep -cE '^\s+at ' "$work/run.log")"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
