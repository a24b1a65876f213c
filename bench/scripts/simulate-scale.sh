#!/usr/bin/env bash
# The scale table of docs/benchmarks.md "Simulated players": one `simulate` run per "nodes players" pair, printed as
# Markdown table rows (figures read from each run's report.json with jq), with the load average before each run.
# Usage: bench/scripts/simulate-scale.sh [-o DIR] "3 30" "3 60" "5 30" ... [-- extra simulate flags...]
#   -o DIR   keep each run's report (report.json, report.md, charts) under DIR/<nodes>x<players>; default: a temp dir
# Defaults of the runs: --duration 20 --warmup 30 (a freshly started node spends its first ~30 s of load in the JIT's
# tiered compiler; see docs/benchmarks.md). Extra flags after -- are passed on and may override them.
# Run it alone on the machine: it takes the build lock around each run, so nothing else builds or tests meanwhile.
set -euo pipefail
DLL=${P2P_NODE_DLL:-src/P2PActors.Node/bin/Release/net10.0/P2PActors.Node.dll}
LOCK=${P2P_BUILD_LOCK:-/tmp/p2p-build.lock}
OUT=""
if [ "${1:-}" = "-o" ]; then OUT=$2; shift 2; fi
PAIRS=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do PAIRS+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
EXTRA=("$@")
[ ${#PAIRS[@]} -gt 0 ] || { echo "usage: $0 [-o DIR] \"NODES PLAYERS\"... [-- simulate flags]" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed to read the reports (apt-get install jq)" >&2; exit 2; }
[ -f "$DLL" ] || { echo "no node DLL at $DLL: dotnet build -c Release src/P2PActors.Node (or set P2P_NODE_DLL)" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
[ -n "$OUT" ] || OUT=$TMP

echo "| nodes × players | ops/s | move ack p50 / p99 | move → push p50 / p99 | reach | errors (warm-up) | shares acc / und, invalid admitted | converged | CPU per node, mean (peak) | peak working set per node | load | exit |"
echo "|---|---:|---:|---:|---:|---|---|---|---|---|---:|---:|"
for pair in "${PAIRS[@]}"; do
  read -r nodes players <<<"$pair"
  dir="$OUT/${nodes}x${players}"
  mkdir -p "$dir"
  load=$(cut -d' ' -f1 /proc/loadavg)
  rc=0
  flock "$LOCK" dotnet "$DLL" simulate --nodes "$nodes" --players "$players" --duration 20 --warmup 30 --report "$dir" "${EXTRA[@]}" \
    >"$dir/stdout.log" 2>"$dir/stderr.log" || rc=$?
  if [ ! -f "$dir/report.json" ]; then
    echo "| $nodes × $players | no report (exit $rc; see $dir/stderr.log) | | | | | | | | | $load | $rc |"
    continue
  fi
  jq -r --arg load "$load" --arg rc "$rc" --arg size "$nodes × $players" '
    def f(x): if x == null then "?" else (x * 10 | round / 10 | tostring) end;
    (.operations[] | select(.operation == "move") | .latency) as $move
    | ([.errors | to_entries[] | "\(.value) `\(.key)`"] | join(", ")) as $errs
    | ((.warmupErrors // {}) | [to_entries[].value] | add // 0) as $werr
    | ([.nodes[] | ([.series[].cpuPercent] | if length == 0 then null else (add / length) end)]) as $cpu
    | "| \($size) | \(f(.operationsPerSecond)) | \(f($move.p50Ms)) / \(f($move.p99Ms)) ms | \(f(.reach.latency.p50Ms)) / \(f(.reach.latency.p99Ms)) ms | \(.reach.ratio) | \(if $errs == "" then "0" else $errs end) (\($werr)) | \(.consensus.accepted) / \(.consensus.undecided), \(.consensus.invalidAdmitted) | \(if .convergence.held then "yes, \(.convergence.settleSeconds) s" else "**no**" end) | \([$cpu[] | f(.)] | join(", "))% (\(f([.nodes[].peakCpuPercent] | max))%) | \([.nodes[].peakWorkingSetMb] | min | f(.))–\([.nodes[].peakWorkingSetMb] | max | f(.)) MB | \($load) | \($rc) |"
  ' "$dir/report.json"
done
