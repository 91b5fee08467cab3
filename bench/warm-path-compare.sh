#!/usr/bin/env bash
# The warm-path JMH benchmark (docs/performance.md) on earlier revisions and on the working tree,
# printed side by side: issue 12's "warm-path benchmark no worse, before and after".
#
#   bench/warm-path-compare.sh                    # before = b5efa53 (last main commit before issue 12)
#   bench/warm-path-compare.sh REV                # before = any commit, tag or branch
#   bench/warm-path-compare.sh b5efa53,main       # several revisions (comma-separated), then the working tree
#   ROUNDS=3 bench/warm-path-compare.sh b5efa53,main   # each side 3 times, interleaved (a loaded machine)
#   bench/warm-path-compare.sh REV -wi 1 -i 1 -w 1 -r 1   # a quick check of the script (JMH options)
#   BENCHMARK=WarmPathPartsBenchmark bench/warm-path-compare.sh   # the read, decide and write parts alone
#
# Each side is the documented benchmark (`mvn -B -q -pl functions -am -Pbench process-test-classes`,
# with JMH's -prof gc for the bytes allocated per event), built and run in its own tree: each REV in a
# temporary `git worktree` under /tmp (removed afterwards), then the working tree as it is (uncommitted
# changes included). Rounds alternate the sides (REV1, REV2, ..., tree, REV1, ...), so that a change in
# the machine's load falls on all of them; each run prints the load average and the host's steal during
# it. JMH options after REV replace the benchmark's own (3 x 1 s warm-up, 5 x 1 s measurement, 1 fork).
# One round of two sides takes about 2 x 2 min plus the builds (the first build of a side about a
# minute); run it on a quiet machine. Not part of `mvn verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
revs=${1:-b5efa53}
[ $# -gt 0 ] && shift
jmh_options=("$@")
rounds=${ROUNDS:-1}
benchmark=${BENCHMARK:-WarmPathBenchmark}

IFS=, read -r -a rev_list <<< "$revs"
for rev in "${rev_list[@]}"; do
    git rev-parse --verify --quiet "$rev^{commit}" > /dev/null || { echo "not a revision: $rev" >&2; exit 2; }
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive number, got: $rounds" >&2; exit 2; }
tmp=$(mktemp -d /tmp/warm-path-compare.XXXXXX)
cleanup() {
    for i in "${!rev_list[@]}"; do
        git -C "$root" worktree remove --force "$tmp/side$i" 2> /dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

names=() trees=()
for i in "${!rev_list[@]}"; do
    git worktree add --quiet --detach "$tmp/side$i" "${rev_list[$i]}"
    if [ "$benchmark" != WarmPathBenchmark ] && [ ! -e "$tmp/side$i/functions/src/test/java/dev/ecsretrier/bench/$benchmark.java" ]; then
        # A benchmark newer than REV (the parts) is copied in: it uses only what REV has too.
        cp "functions/src/test/java/dev/ecsretrier/bench/$benchmark.java" "$tmp/side$i/functions/src/test/java/dev/ecsretrier/bench/"
    fi
    names+=("${rev_list[$i]} ($(git rev-parse --short "${rev_list[$i]}"))")
    trees+=("$tmp/side$i")
done
names+=("tree $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')")
trees+=("$root")

# The host's steal since the last call, in % of all CPU time (/proc/stat: user nice system idle iowait irq softirq steal).
steal_mark=()
steal_since() {
    local now=($(head -1 /proc/stat))
    if [ ${#steal_mark[@]} -gt 0 ]; then
        awk -v a="${steal_mark[*]}" -v b="${now[*]}" 'BEGIN { split(a, x); split(b, y); t = 0;
            for (i = 2; i <= 9; i++) t += y[i] - x[i]; printf "%.1f", t ? (y[9] - x[9]) * 100 / t : 0 }'
    fi
    steal_mark=("${now[@]}")
}

echo "machine: $(nproc) cpus; benchmark $benchmark; $rounds round(s) of: ${names[*]}"
for round in $(seq 1 "$rounds"); do
    for i in "${!trees[@]}"; do
        steal_since > /dev/null
        load=$(cut -d' ' -f1 /proc/loadavg)
        # exec-maven-plugin: exec.args replaces the profile's <arguments>; %classpath is the test classpath.
        (cd "${trees[$i]}" && mvn -B -q -pl functions -am -Pbench process-test-classes \
            "-Dexec.args=-cp %classpath org.openjdk.jmh.Main $benchmark -prof gc ${jmh_options[*]} -rf json -rff $tmp/$i.$round.json") \
            > "$tmp/$i.$round.log" 2>&1 || { cat "$tmp/$i.$round.log" >&2; exit 1; }
        echo "round $round, ${names[$i]}: load average $load at the start, $(cut -d' ' -f1 /proc/loadavg) at the end, steal $(steal_since) %, $(date -u +%H:%M:%S) UTC"
    done
done

python3 - "$tmp" "$rounds" "${names[@]}" <<'PY'
import json, statistics, sys

tmp, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def results(path):
    rows = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 1)[-1] + "".join(f" {k}={v}" for k, v in sorted(r.get("params", {}).items()))
        allocated = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        rows[name] = (float(r["primaryMetric"]["score"]), r["primaryMetric"]["scoreUnit"], allocated)
    return rows

runs = [[results(f"{tmp}/{i}.{n}.json") for n in range(1, rounds + 1)] for i in range(len(names))]
benchmarks = sorted({b for side in runs for run in side for b in run})
for i, name in enumerate(names):
    print(f"[{chr(ord('A') + i)}] {name}")
for b in benchmarks:
    print(b)
    first = None
    for i, side in enumerate(runs):
        rows = [run[b] for run in side if b in run]
        if not rows:
            continue
        median = statistics.median(r[0] for r in rows)
        allocated = statistics.median(r[2] for r in rows) if all(r[2] is not None for r in rows) else None
        first = first or (median, allocated)
        change = f"  {(median - first[0]) / first[0] * 100:+.0f}% time" if i and first[0] else ""
        if i and allocated is not None and first[1]:
            change += f", {(allocated - first[1]) / first[1] * 100:+.0f}% bytes"
        scores = ", ".join(f"{r[0]:.1f}" for r in rows)
        print(f"  [{chr(ord('A') + i)}] {scores} {rows[0][1]}" + ("" if allocated is None else f"; {allocated:,.0f} B/op") + change)
PY
