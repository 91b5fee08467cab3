#!/usr/bin/env bash
# Issue 17, "a failure storm under AWS's quotas": runs whose first attempts all stop retryably within a
# minute, AWS's quotas on (local/.../quota), duplicates, crashes and double fires; once with the
# functions' defaults, once with reserved concurrency. Prints numbers; not a timed test, not in `mvn verify`.
#
#   bench/storm.sh                                   # 1,000 runs against 10 % of the quotas
#   bench/storm.sh -Dstorm.runs=2000 -o              # more; -o: Maven offline
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cpus, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
exec mvn -B -q -pl local -am test -Dtest=StormBenchmark -Dsurefire.failIfNoSpecifiedTests=false "$@"
