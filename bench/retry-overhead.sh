#!/usr/bin/env bash
# Issue 6, "Retry overhead in the local runtime": time from a task's exit to the next attempt's
# RunTask, minus the scheduled backoff (real time, backoff 1 s, jitter NONE). Prints numbers; it is
# not a timed test and not part of `mvn verify`.
#
#   bench/retry-overhead.sh                               # 7 runs x 9 retries
#   bench/retry-overhead.sh -Dbench.runs=12 -o            # more retries; -o: Maven offline
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cpus, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p')"
exec mvn -B -q -pl local -am test -Dtest=RetryOverheadBenchmark -Dsurefire.failIfNoSpecifiedTests=false "$@"
