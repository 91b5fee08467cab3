#!/usr/bin/env bash
# Cold start of the starter Lambda: time from launching a fresh JVM (Lambda's flags) to the first
# handled start request, against a local fake ECS, for the URLConnection and the AWS CRT HTTP clients.
#
#   bench/coldstart/run.sh [RUNS] [VARIANT...]
#
# RUNS (default 15) measured runs per variant, after one discarded warm-up run per variant (it fills
# the page cache). Variants are interleaved run by run so that drift hits all alike. Variants:
#   urlconnection       new StarterHandler(): the production wiring, unchanged
#   classifier          new ClassifierHandler(): one stopped-task event (DescribeTasks + CreateSchedule)
#   urlconnection-copy  the same wiring rebuilt in the bench (BenchClients), URLConnection client
#   crt                 that wiring with the AWS CRT HTTP client (aws-crt-client + aws-crt jars)
#   probe-urlconnection one ECS client, one RunTask, nothing else (issue 6's bare probe)
#   probe-crt           the same with the CRT client
# Needs: JDK 17, python3, Maven (builds the Lambda jar if missing and fetches the CRT jars once).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-15}"
shift || true
variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
  variants=(urlconnection urlconnection-copy crt probe-urlconnection probe-crt)
fi

jar="$root/functions/target/functions-0.1.0-SNAPSHOT-lambda.jar"
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -pl functions -am package -DskipTests)
fi
# The CRT client's jars that the Lambda jar lacks: the client, its crt-core glue, the native CRT.
if ! ls "$here"/lib/aws-crt-client-*.jar "$here"/lib/crt-core-*.jar "$here"/lib/aws-crt-[0-9]*.jar >/dev/null 2>&1; then
  mvn -B -q -f "$here/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy-dependencies \
    -DoutputDirectory="$here/lib" -DincludeArtifactIds=aws-crt-client,crt-core,aws-crt
fi
crt_jars="$(ls "$here"/lib/aws-crt-client-*.jar):$(ls "$here"/lib/crt-core-*.jar):$(ls "$here"/lib/aws-crt-[0-9]*.jar)"

classes="$here/build/classes"
rm -rf "$classes" && mkdir -p "$classes"
javac --release 17 -d "$classes" -cp "$jar:$crt_jars" $(find "$here/src" -name '*.java')

work="$(mktemp -d)"
python3 "$here/fake_ecs.py" "$work/port" &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port="$(cat "$work/port")"

# What Lambda and the CDK construct set; credentials are fake, the endpoint is local.
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export RETRIER_CLUSTER=arn:aws:ecs:us-east-1:111122223333:cluster/batch
export RETRIER_TASK_DEFINITION=arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3
export RETRIER_CONTAINER_NAME=app
export RETRIER_RETRYABLE_EXIT_CODES=2
export RETRIER_LAUNCH_TYPE=FARGATE
export RETRIER_SUBNETS=subnet-0a1b2c3d4e5f60718
export RETRIER_SECURITY_GROUPS=sg-0123456789abcdef0
export RETRIER_SCHEDULER_ROLE_ARN=arn:aws:iam::111122223333:role/ecs-retrier-scheduler
export RETRIER_TOPIC_ARN=arn:aws:sns:us-east-1:111122223333:ecs-retrier-outcomes
export RETRIER_STARTER_ARN=arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live
# The classifier's first event (app exit 2, retryable above), handed to the handler as Lambda would.
BENCH_CLASSIFIER_EVENT="$(unzip -p "$jar" dev/ecsretrier/handler/priming-event.json)"
export BENCH_CLASSIFIER_EVENT

# Lambda's Java runtime flags (JAVA_TOOL_OPTIONS would print a banner; pass them directly).
jvm_flags=(-XX:+TieredCompilation -XX:TieredStopAtLevel=1)

once() {  # once VARIANT -> prints launch_to_response_ms
  local variant="$1" cp="$classes:$jar"
  case "$variant" in *crt) cp="$cp:$crt_jars" ;; esac
  local launched line
  launched="$(date +%s%3N)"
  if ! line="$(java "${jvm_flags[@]}" -Dbench.launchedAtMillis="$launched" -cp "$cp" \
      dev.ecsretrier.bench.ColdStart "$variant" 2>"$work/stderr" | grep '^variant=')"; then
    echo "run of $variant failed:" >&2; cat "$work/stderr" >&2; exit 1
  fi
  echo "$line" >> "$work/lines"
  sed -E 's/.*launch_to_response_ms=([0-9]+).*/\1/' <<<"$line"
}

for v in "${variants[@]}"; do once "$v" >/dev/null; done   # warm-up, discarded
: > "$work/lines"
for _ in $(seq "$runs"); do
  for v in "${variants[@]}"; do echo "$v $(once "$v")" >> "$work/times"; done
done

echo "# machine: $(nproc) CPUs; $(lscpu | sed -n 's/^Model name: *//p'); $(java -version 2>&1 | head -1)"
echo "# flags: ${jvm_flags[*]}; runs per variant: $runs (after 1 warm-up); times: launch of java -> first response, ms"
printf '%-20s %8s %8s %8s\n' variant median min max
for v in "${variants[@]}"; do
  sort -n <(awk -v v="$v" '$1 == v {print $2}' "$work/times") | awk -v v="$v" '
    {t[NR] = $1} END {
      m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "%-20s %8.1f %8d %8d\n", v, m, t[1], t[NR]
    }'
done
median_of() {  # median_of FIELD -> per variant, the median of that field of the result lines
  for v in "${variants[@]}"; do
    grep "^variant=$v " "$work/lines" | sed -E "s/.* $1=([0-9]+).*/\\1/" | sort -n |
      awk -v v="$v" '{t[NR] = $1} END {m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%-20s %8.1f\n", v, m}'
  done
}
echo "# JVM-reported start (RuntimeMXBean) -> response, median ms:"
median_of jvm_start_to_response_ms
echo "# process CPU time (user + sys, all threads) at the response, median ms:"
median_of process_cpu_ms
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
median_time() {  # median_time VARIANT -> median launch->response ms
  awk -v v="$1" '$1 == v {print $2}' "$work/times" | sort -n |
    awk '{t[NR] = $1} END {if (NR == 0) exit; print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2}'
}
probe="$(median_time probe-urlconnection)"
if [ -n "$probe" ]; then
  echo "# handler / bare probe (medians; goal <= 1.2):"
  for v in urlconnection classifier; do
    m="$(median_time "$v")"
    [ -n "$m" ] && awk -v v="$v" -v m="$m" -v p="$probe" 'BEGIN {printf "%-20s %8.2f\n", v, m / p}'
  done
fi
