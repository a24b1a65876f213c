#!/usr/bin/env bash
# The chaos matrix of docs/benchmarks.md "Consensus under attack": nodes (4, 7, 10) x Byzantine mode (none, each
# mode, mixed), one `chaos` run each, printed as Markdown table rows with the load average before each run.
# Usage: bench/scripts/chaos-matrix.sh [path/to/P2PActors.Node.dll] [extra chaos flags...]
# Run it alone on the machine (it takes the build lock around each run, so nothing else builds or tests meanwhile).
set -euo pipefail
DLL=${1:-src/P2PActors.Node/bin/Release/net10.0/P2PActors.Node.dll}
shift || true
EXTRA=("$@")
MODES=(approve-all reject-all equivocate forge-signatures replay silent slow overpowered mute partial-mute tamper-headers)
LOCK=${P2P_BUILD_LOCK:-/tmp/p2p-build.lock}

run() { # nodes byzantine mode items
  local out load
  load=$(cut -d' ' -f1 /proc/loadavg)
  out=$(flock "$LOCK" dotnet "$DLL" chaos --nodes "$1" --byzantine "$2" --mode "$3" --items "$4" "${EXTRA[@]}" 2>&1) || true
  local acc und inv lat thr cpu
  acc=$(grep -m1 -E '^\s+valid accepted' <<<"$out" | awk '{print $3"/"$5}')
  und=$(grep -m1 -E '^\s+valid undecided' <<<"$out" | awk '{print $3}')
  inv=$(grep -m1 -E '^\s+INVALID ACCEPTED' <<<"$out" | awk '{print $3}')
  lat=$(grep -m1 -E '^\s+decision latency' <<<"$out" | sed -E 's/.*p50 ([0-9.]+) ms, p99 ([0-9.]+) ms.*/\1 \/ \2/')
  thr=$(grep -m1 -E '^\s+throughput' <<<"$out" | awk '{print $2}')
  cpu=$(grep -m1 -E '^\s+CPU' <<<"$out" | awk '{print $2}')
  local mode=$3; [ "$2" = 0 ] && mode="none"
  echo "| $1 | $2 $mode | ${acc:-?} | ${und:-?} | ${inv:-?} | ${lat:-?} ms | ${thr:-?} | ${cpu:-?} | $load |"
}

echo "| nodes | Byzantine | valid accepted | valid undecided | invalid admitted | decision p50 / p99 | items/s | CPU ms/item | load |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
for spec in "4 1 400 equivocate" "7 2 300 equivocate,replay" "10 3 300 equivocate,replay,forge-signatures"; do
  read -r nodes byz items mixed <<<"$spec"
  run "$nodes" 0 equivocate "$items"
  for mode in "${MODES[@]}"; do run "$nodes" "$byz" "$mode" "$items"; done
  [ "$byz" -gt 1 ] && run "$nodes" "$byz" "$mixed" "$items"
done
