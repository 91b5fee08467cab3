#!/usr/bin/env bash
# The warm-path JMH benchmark (docs/performance.md) on an earlier revision and on the working tree,
# printed side by side: issue 12's "warm-path benchmark no worse, before and after".
#
#   bench/warm-path-compare.sh                    # before = b5efa53 (last main commit before issue 12)
#   bench/warm-path-compare.sh REV                # before = any commit, tag or branch
#   bench/warm-path-compare.sh REV -wi 1 -i 1 -w 1 -r 1   # a quick check of the script (JMH options)
#
# Each side is the documented command, `mvn -B -q -pl functions -am -Pbench process-test-classes`,
# built and run in its own tree: REV in a temporary `git worktree` under /tmp (removed afterwards),
# then the working tree as it is (uncommitted changes included). JMH options after REV replace the
# benchmark's own (3 x 1 s warm-up, 5 x 1 s measurement, 1 fork). The full run takes about 2 x 2 min
# plus two builds; run it on a quiet machine. Not part of `mvn verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rev=${1:-b5efa53}
[ $# -gt 0 ] && shift
jmh_options=("$@")

git rev-parse --verify --quiet "$rev^{commit}" > /dev/null || { echo "not a revision: $rev" >&2; exit 2; }
tmp=$(mktemp -d /tmp/warm-path-compare.XXXXXX)
cleanup() {
    git -C "$root" worktree remove --force "$tmp/before" 2> /dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
git worktree add --quiet --detach "$tmp/before" "$rev"

# $1: the tree; $2: where its JMH results (JSON) go.
measure() {
    local args=()
    if [ ${#jmh_options[@]} -gt 0 ]; then
        # exec-maven-plugin: exec.args replaces the profile's <arguments>; %classpath is the test classpath.
        args=("-Dexec.args=-cp %classpath org.openjdk.jmh.Main WarmPathBenchmark ${jmh_options[*]} -rf json -rff $2")
    fi
    (cd "$1" && mvn -B -q -pl functions -am -Pbench process-test-classes "${args[@]}")
    if [ ${#jmh_options[@]} -eq 0 ]; then
        cp "$1/functions/target/jmh-warm-path.json" "$2"
    fi
}

echo "machine: $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== before: $rev ($(git rev-parse --short "$rev"))"
measure "$tmp/before" "$tmp/before.json"
echo "== after: working tree at $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' + uncommitted changes')"
measure "$root" "$tmp/after.json"
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$tmp/before.json" "$tmp/after.json" "$rev" <<'PY'
import json, sys

def results(path):
    rows = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 1)[-1] + "".join(f" {k}={v}" for k, v in sorted(r.get("params", {}).items()))
        m = r["primaryMetric"]
        error = m.get("scoreError")
        # One measurement iteration has no error: JMH writes "NaN".
        rows[name] = (float(m["score"]), float(error) if isinstance(error, (int, float)) else float("nan"),
                      m["scoreUnit"])
    return rows

before, after, rev = results(sys.argv[1]), results(sys.argv[2]), sys.argv[3]
def cell(row):
    return "-" if row is None else f"{row[0]:.2f} ± {row[1]:.2f} {row[2]}"
width = max(len(n) for n in set(before) | set(after))
print(f"{'benchmark':<{width}}  {'before (' + rev + ')':>24}  {'after':>24}  change")
for name in sorted(set(before) | set(after)):
    b, a = before.get(name), after.get(name)
    change = f"{(a[0] - b[0]) / b[0] * 100:+.0f}%" if a and b and b[0] else ""
    print(f"{name:<{width}}  {cell(b):>24}  {cell(a):>24}  {change}")
PY
