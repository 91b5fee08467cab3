#!/usr/bin/env bash
# Issue 17, "a failure storm under AWS's quotas", at full size: 10,000 runs whose first attempts all stop
# retryably within one minute, AWS's default quotas at their documented rates (local/.../quota), duplicates,
# crashes and double fires as in the fault test, at time scale 0.05; then `retrier redrive` against `serve`
# until the dead-letter queues are empty. Prints numbers; not a timed test, not in `mvn verify` (StormTest is
# the small one CI asserts). About 3 to 4 minutes on a quiet 2-core machine, after the build.
#
#   bench/storm.sh                               # the full storm
#   bench/storm.sh -Dstorm.runs=1000             # 1,000 runs against 10 % of the quotas (same overload)
#   bench/storm.sh -Dstorm.reserved=100          # reserved concurrency 100 on both functions (drains for hours
#                                                #   of planned time: ~20 minutes here)
#   bench/storm.sh -Dstorm.latencyMs=50          # each AWS call's round trip (planned; default 15 ms, an assumption):
#                                                #   what the peak concurrent executions it prints depend on
#   bench/storm.sh -o                            # Maven offline
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cpus, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
exec mvn -B -q -pl local -am test -Dtest=StormBenchmark -Dsurefire.failIfNoSpecifiedTests=false "$@"
