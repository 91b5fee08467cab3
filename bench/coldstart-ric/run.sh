#!/usr/bin/env bash
# Cold start under AWS's Lambda Runtime Interface Client (RIC): a fresh JVM running
# `java -cp <RIC> AWSLambda <handler>` in a task root holding the unpacked shrunk Lambda jar, as Lambda's
# java21 runtime runs a function, against a loopback Runtime API (runtime_api.py) and a local AWS
# endpoint (../coldstart/fake_ecs.py). Times, per fresh JVM: launch -> first GET /invocation/next (init)
# and launch -> the first invocation's response (init + first invoke); max RSS and CPU time (user + sys)
# of the process, from /usr/bin/time.
#
#   bench/coldstart-ric/run.sh [RUNS] [VARIANT...]
#
# RUNS (default 11) measured runs per variant, after one discarded warm-up run per variant; variants are
# interleaved run by run. Variants:
#   probe       ProbeHandler: one ECS client built as AwsClients builds it, one RunTask
#   starter     dev.ecsretrier.handler.StarterHandler, payload {} (one RunTask)
#   classifier  dev.ecsretrier.handler.ClassifierHandler, the jar's priming event (DescribeTasks, CreateSchedule)
#   starter-b, classifier-b  the same handlers from the Lambda jar B_JAR (another build, to compare two builds
#                in one interleaved run: B_JAR=/tmp/before.jar bench/coldstart-ric/run.sh 11 probe starter starter-b)
# Environment:
#   JVM_EXTRA="-Xmx... -XX:ActiveProcessorCount=1"  extra JVM flags for every run
#   CLASSLOAD=1  after the timed runs, one more run per variant with -Xlog:class+load (not timed): classes
#                loaded per package, and when the handler's first class and the last class were loaded;
#                CLASSLOAD_DIR=DIR keeps each variant's log there (DIR/classes-VARIANT, uptime per class)
#   STEPS=N      after the timed runs, N rounds of steps/.../InitSteps per variant (not under the runtime client, not
#                capped): the JVM's CPU time and wall time of each step of the handler's init as its Lambda constructor
#                takes them (configuration, clients, handler, dry run) and of its first invocation; the handlers also
#                without the dry run (":nodry"). Medians, with min..max of the CPU times.
#   INVOCATIONS=N  each JVM serves N invocations back to back (default 1): the first is the cold one above, the
#                others are warm; prints, per variant (and per event for the classifier), each warm invocation's
#                duration as Lambda counts it (event handed out -> response posted) and billed (rounded up to
#                1 ms, https://aws.amazon.com/lambda/pricing/), the JVM's CPU time (all threads) meanwhile, the AWS
#                calls it made, and Max Memory Used as Lambda reports it, the most used across the environment's
#                invocations (https://docs.aws.amazon.com/lambda/latest/dg/java-logging.html): here the JVM's peak
#                RSS (VmHWM) after the first invocation and after the last. Events: probe and starter {} (each a
#                new run: every invocation has its own request id); the classifier the priming event (a retry),
#                then core's fixtures succeeded.json and out-of-memory.json (a run ends: history read, Publish),
#                app-exit-2.json and cannot-pull-transient.json (a retry: CreateSchedule), in turn.
#   AWS_LATENCY_MS="15[,RunTask=120,...]"  every AWS call waits that long at the fake endpoint (default 0, as the
#                cold-start numbers were measured): the round trip to the service, an assumption of the bench
#                (../coldstart/fake_ecs.py)
#   CPU_QUOTA=0.58  each measured JVM's invocation (handlers and probe alike) runs in a CPU cgroup limited to
#                that many CPUs (CFS quota over a 100 ms period), as Lambda gives a function CPU in proportion
#                to its memory: one vCPU at 1,769 MB (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html),
#                so 0.29 at 512 MB, 0.58 at 1,024 MB; its init phase runs in one limited to CPU_QUOTA_INIT
#                (default 1: an on-demand init runs on a full vCPU, https://serverlessland.com/content/service/
#                lambda/guides/effectively-running-java-on-serverless/init-heavy-lifting). Needs root and a writable
#                cgroup CPU controller (v1 /sys/fs/cgroup/cpu, or v2 cpu.max); where there is none it says so on
#                stderr and in the output, and measures uncapped. CPU_PERIOD_US (default 100000) is the CFS period.
# Needs: JDK 17+, python3, /usr/bin/time, Maven (builds the Lambda jar if missing, resolves the RIC once).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-11}"
shift || true
variants=("$@")
[ ${#variants[@]} -eq 0 ] && variants=(probe starter classifier)

jar="$root/functions/target/functions-0.1.0-SNAPSHOT-lambda.jar"
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -pl functions -am package -DskipTests)
fi
build="$here/build"
mkdir -p "$build"
if [ ! -s "$build/ric.classpath" ]; then
  mvn -B -q -f "$here/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
    -Dmdep.outputFile="$build/ric.classpath"
fi
ric_cp="$(cat "$build/ric.classpath")"

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# The task root, as Lambda unpacks a deployment package into /var/task; the probe's class beside it.
task="$work/task"
mkdir -p "$task"
(cd "$task" && unzip -q "$jar")
javac --release 17 -d "$task" -cp "$jar:$ric_cp" $(find "$here/src" -name '*.java')
if [ -n "${STEPS:-}" ]; then
  [[ "$STEPS" =~ ^[1-9][0-9]*$ ]] || { echo "STEPS must be a positive number of rounds, got '$STEPS'" >&2; exit 2; }
  javac --release 17 -d "$task" -cp "$task:$ric_cp" $(find "$here/steps" -name '*.java')
fi
task_b="$work/task-b"
if [[ " ${variants[*]} " == *-b\ * ]]; then
  [ -f "${B_JAR:-}" ] || { echo "variants *-b run the Lambda jar B_JAR, which is not a file: '${B_JAR:-}'" >&2; exit 2; }
  mkdir -p "$task_b" && (cd "$task_b" && unzip -q "$B_JAR")
fi
task_of() { case "$1" in *-b) echo "$task_b" ;; *) echo "$task" ;; esac; }

CALL_LOG="$work/calls" python3 "$root/bench/coldstart/fake_ecs.py" "$work/aws-port" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/aws-port" ] && break; sleep 0.05; done
aws_port="$(cat "$work/aws-port")"

invocations="${INVOCATIONS:-1}"
[[ "$invocations" =~ ^[1-9][0-9]*$ ]] || { echo "INVOCATIONS must be a positive number, got '$invocations'" >&2; exit 2; }
printf '{}' > "$work/start.json"
unzip -p "$jar" dev/ecsretrier/handler/priming-event.json > "$work/priming-event.json"
events_of() {  # the event files each invocation of a variant takes in turn
  case "${1%-b}" in
    probe|starter) echo "$work/start.json" ;;
    classifier)
      local fixtures="$root/core/src/test/resources/events" f list="$work/priming-event.json"
      if [ "$invocations" -gt 1 ]; then
        for f in succeeded app-exit-2 out-of-memory cannot-pull-transient; do list="$list,$fixtures/$f.json"; done
      fi
      echo "$list" ;;
  esac
}

handler_of() {
  case "${1%-b}" in
    probe) echo dev.ecsretrier.bench.ric.ProbeHandler::handleRequest ;;
    starter) echo dev.ecsretrier.handler.StarterHandler::handleRequest ;;
    classifier) echo dev.ecsretrier.handler.ClassifierHandler::handleRequest ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}

# Lambda's java21 environment (as local's RuntimeClientProcess.lambdaEnvironment) and the functions' settings.
lambda_env=(
  AWS_EXECUTION_ENV=AWS_Lambda_java21 AWS_LAMBDA_FUNCTION_NAME=ecs-retrier-bench AWS_LAMBDA_FUNCTION_VERSION='$LATEST'
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024 AWS_LAMBDA_INITIALIZATION_TYPE=on-demand
  AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/ecs-retrier-bench AWS_LAMBDA_LOG_STREAM_NAME='2026/12/01/[$LATEST]0123456789abcdef'
  LAMBDA_TASK_ROOT="$task" LAMBDA_RUNTIME_DIR="$task" TZ=:UTC LANG=en_US.UTF-8 PATH="$PATH"
  AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret AWS_SESSION_TOKEN=token
  AWS_CONFIG_FILE="$task/no-aws-config" AWS_SHARED_CREDENTIALS_FILE="$task/no-aws-credentials" AWS_EC2_METADATA_DISABLED=true
  AWS_ENDPOINT_URL="http://127.0.0.1:$aws_port"
  RETRIER_CLUSTER=arn:aws:ecs:us-east-1:111122223333:cluster/batch
  RETRIER_TASK_DEFINITION=arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3
  RETRIER_CONTAINER_NAME=app RETRIER_RETRYABLE_EXIT_CODES=2 RETRIER_LAUNCH_TYPE=FARGATE
  RETRIER_SUBNETS=subnet-0a1b2c3d4e5f60718 RETRIER_SECURITY_GROUPS=sg-0123456789abcdef0
  RETRIER_SCHEDULER_ROLE_ARN=arn:aws:iam::111122223333:role/ecs-retrier-scheduler
  RETRIER_TOPIC_ARN=arn:aws:sns:us-east-1:111122223333:ecs-retrier-outcomes
  RETRIER_STARTER_ARN=arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live
  RETRIER_HISTORY_LOG_GROUPS=/aws/lambda/ecs-retrier-starter,/aws/lambda/ecs-retrier-classifier
)
# CPU_QUOTA: two cgroups, made here and removed at exit. A measured JVM starts in the init one (a full
# vCPU, CPU_QUOTA_INIT, as Lambda gives an on-demand init phase) and moves to the invocation one (CPU_QUOTA)
# when the runtime client first asks for an invocation (runtime_api.py waits for the move).
cgroup_init=""
cgroup_invoke=""
cpu_note="uncapped"
period_us="${CPU_PERIOD_US:-100000}"
[[ "$period_us" =~ ^[1-9][0-9]*$ ]] || { echo "CPU_PERIOD_US must be a positive number of microseconds, got '$period_us'" >&2; exit 2; }
make_cgroup() {  # make_cgroup NAME CPUS -> prints the cgroup's directory, or nothing when it cannot
  local name="ecs-retrier-coldstart-$$-$1" quota_us
  quota_us="$(awk -v q="$2" -v p="$period_us" 'BEGIN { printf "%d", q * p }')"
  if [ -w /sys/fs/cgroup/cpu ] && mkdir -p "/sys/fs/cgroup/cpu/$name" 2>/dev/null \
      && echo "$period_us" > "/sys/fs/cgroup/cpu/$name/cpu.cfs_period_us" \
      && echo "$quota_us" > "/sys/fs/cgroup/cpu/$name/cpu.cfs_quota_us"; then
    echo "/sys/fs/cgroup/cpu/$name"
  elif [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers \
      && mkdir -p "/sys/fs/cgroup/$name" 2>/dev/null && echo "$quota_us $period_us" > "/sys/fs/cgroup/$name/cpu.max"; then
    echo "/sys/fs/cgroup/$name"
  else
    rmdir "/sys/fs/cgroup/cpu/$name" "/sys/fs/cgroup/$name" 2>/dev/null || true
  fi
}
if [ -n "${CPU_QUOTA:-}" ]; then
  for q in "$CPU_QUOTA" "${CPU_QUOTA_INIT:-1}"; do
    awk -v q="$q" 'BEGIN { exit !(q + 0 > 0 && q + 0 <= 64) }' || {
      echo "CPU_QUOTA and CPU_QUOTA_INIT must be positive numbers of CPUs, like 0.58; got '$q'" >&2; exit 2; }
  done
  cgroup_invoke="$(make_cgroup invoke "$CPU_QUOTA")"
  [ -n "$cgroup_invoke" ] && cgroup_init="$(make_cgroup init "${CPU_QUOTA_INIT:-1}")"
  if [ -n "$cgroup_init" ]; then
    cpu_note="init on ${CPU_QUOTA_INIT:-1} CPU, then the invocations on $CPU_QUOTA CPU (CFS quota per $((period_us / 1000)) ms; $cgroup_invoke)"
  else
    [ -n "$cgroup_invoke" ] && rmdir "$cgroup_invoke" 2>/dev/null; cgroup_invoke=""
    cpu_note="uncapped: CPU_QUOTA=$CPU_QUOTA asked, but no writable cgroup CPU controller here (needs root and /sys/fs/cgroup/cpu, or cgroup v2 cpu.max)"
    echo "coldstart-ric: $cpu_note; measuring without a CPU quota" >&2
  fi
fi
uncgroup() { for c in "$cgroup_init" "$cgroup_invoke"; do [ -n "$c" ] && rmdir "$c" 2>/dev/null; done; true; }
trap 'cleanup; uncgroup' EXIT

# The runtime client harness's flags (LambdaJarUnderRuntimeClientIT): Lambda's Java runtime options.
read -r -a extra <<<"${JVM_EXTRA:-}"
jvm_flags=(-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:+UseSerialGC ${extra[@]+"${extra[@]}"})

once() {  # once VARIANT [JVM FLAG...] -> prints "init_ms total_ms maxrss_kb cpu_ms init_cpu_ms invoke_cpu_ms"
  local variant="$1"; shift
  local dir="$work/run"; rm -rf "$dir"; mkdir -p "$dir"
  : > "$work/calls"
  if [ -n "$cgroup_init" ]; then
    INVOCATIONS="$invocations" INIT_DONE_FILE="$dir/init-done" GO_FILE="$dir/go" \
      python3 "$here/runtime_api.py" "$dir/port" "$(events_of "$variant")" "$dir/result" &
  else
    INVOCATIONS="$invocations" python3 "$here/runtime_api.py" "$dir/port" "$(events_of "$variant")" "$dir/result" &
  fi
  local api=$!
  for _ in $(seq 200); do [ -s "$dir/port" ] && break; sleep 0.02; done
  local launched tpid jpid
  launched="$(date +%s%3N)"
  # The subshell joins the init cgroup (if any) before it execs: /usr/bin/time and java inherit it.
  local root_of_task; root_of_task="$(task_of "$variant")"
  (cd "$root_of_task" && { [ -z "$cgroup_init" ] || echo "$BASHPID" > "$cgroup_init/cgroup.procs"; } && exec env -i "${lambda_env[@]}" LAMBDA_TASK_ROOT="$root_of_task" AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$dir/port")" _HANDLER="$(handler_of "$variant")" \
      /usr/bin/time -f '%M %U %S' -o "$dir/time" java "${jvm_flags[@]}" "$@" -cp "$ric_cp" \
      com.amazonaws.services.lambda.runtime.api.client.AWSLambda "$(handler_of "$variant")" >"$dir/log" 2>&1) &
  tpid=$!
  if [ -n "$cgroup_init" ]; then
    # Init is over when the runtime client first asks for an invocation: java (the child of
    # /usr/bin/time, which the subshell became) moves to the invocation's share, then gets its event.
    for _ in $(seq 3000); do [ -e "$dir/init-done" ] && break; sleep 0.005; done
    echo "$(ps -o pid= --ppid "$tpid" | tr -d ' ')" > "$cgroup_invoke/cgroup.procs" \
      || echo "coldstart-ric: could not move the JVM into $cgroup_invoke; this run's invocation was not capped" >&2
    touch "$dir/go"
  fi
  for _ in $(seq 1200); do [ -s "$dir/result" ] && break; sleep 0.01; done
  if [ "$invocations" -gt 1 ]; then  # the warm ones: up to 2 s each
    for _ in $(seq $((invocations * 200))); do
      [ "$(cat "$dir/result.invocations" 2>/dev/null | wc -l)" -ge "$invocations" ] && break; sleep 0.01
    done
  fi
  # The subshell exec'd env, which exec'd /usr/bin/time; java is its child.
  jpid="$(ps -o pid= --ppid "$tpid" | tr -d ' ')"
  [ -n "$jpid" ] && kill "$jpid" 2>/dev/null || true
  wait "$tpid" 2>/dev/null || true
  kill "$api" 2>/dev/null || true; wait "$api" 2>/dev/null || true
  if ! grep -q 'status=response' "$dir/result" 2>/dev/null || ! grep -Eq 'taskArn|scheduleName' "$dir/result"; then
    echo "run of $variant failed: $(cat "$dir/result" 2>/dev/null)" >&2; cat "$dir/log" >&2; touch "$work/failed"; exit 1
  fi
  cp "$dir/log" "$work/log-$variant"
  if [ "$invocations" -gt 1 ]; then
    if [ "$(cat "$dir/result.invocations" 2>/dev/null | grep -c 'status=response')" -ne "$invocations" ]; then
      echo "a warm invocation of $variant failed or did not end:" >&2; cat "$dir/result.invocations" >&2 2>/dev/null
      cat "$dir/log" >&2; touch "$work/failed"; exit 1
    fi
    # variant, then the invocation's fields; the AWS calls of all its invocations, counted by operation
    sed "s/^/variant=$variant /" "$dir/result.invocations" >> "$work/invocations.$measuring"
    sed "s/^/$variant /" "$work/calls" >> "$work/calls.$measuring"
  fi
  local next done moved init_cpu invoke_cpu
  next="$(sed -E 's/.*next_ms=([0-9]+).*/\1/' "$dir/result")"
  init_cpu="$(sed -E 's/.*init_cpu_ms=(-?[0-9.]+).*/\1/' "$dir/result")"
  invoke_cpu="$(sed -E 's/.*invoke_cpu_ms=(-?[0-9.]+).*/\1/' "$dir/result")"
  done="$(sed -E 's/.*done_ms=([0-9]+).*/\1/' "$dir/result")"
  moved="$(sed -E 's/.*wait_ms=([0-9]+).*/\1/' "$dir/result")"
  done=$((done - moved))   # the bench's own moving of the JVM between cgroups is not the function's time
  # /usr/bin/time's last line (a line before it says the process was killed by the bench).
  tail -1 "$dir/time" | awk -v l="$launched" -v n="$next" -v d="$done" -v ic="$init_cpu" -v vc="$invoke_cpu" \
    '{printf "%d %d %d %d %s %s\n", n - l, d - l, $1, ($2 + $3) * 1000, ic, vc}'
}

measuring=warmup
for v in "${variants[@]}"; do once "$v" >/dev/null; done   # warm-up, discarded
measuring=measured
for _ in $(seq "$runs"); do
  for v in "${variants[@]}"; do
    line="$(once "$v")"; [ -e "$work/failed" ] && exit 1; echo "$v $line" >> "$work/times"
  done
done

median() {  # median VARIANT COLUMN
  awk -v v="$1" -v c="$2" '$1 == v {print $c}' "$work/times" | sort -n |
    awk '{t[NR] = $1} END {if (NR == 0) exit; print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2}'
}
echo "# machine: $(nproc) CPUs; $(lscpu | sed -n 's/^Model name: *//p'); $(java -version 2>&1 | head -1)"
echo "# runtime client: $(basename "$(tr ':' '\n' <<<"$ric_cp" | grep runtime-interface-client)"); flags: ${jvm_flags[*]}"
echo "# runs per variant: $runs (after 1 warm-up), medians; init = launch -> first GET next, total = launch -> first response"
echo "# CPU: $cpu_note"
[ "$invocations" -gt 1 ] && echo "# $invocations invocations per JVM: max RSS and CPU time below cover all of them (the warm table after, each)"
printf '%-11s %8s %8s %8s %10s %8s %8s\n' variant init_ms invoke_ms total_ms maxrss_MB cpu_ms total/probe
probe="$(median probe 3)"
for v in "${variants[@]}"; do
  i="$(median "$v" 2)"; t="$(median "$v" 3)"; r="$(median "$v" 4)"; c="$(median "$v" 5)"
  awk -v v="$v" -v i="$i" -v t="$t" -v r="$r" -v c="$c" -v p="${probe:-0}" 'BEGIN {
    printf "%-11s %8.1f %8.1f %8.1f %10.1f %8.1f %8s\n", v, i, t - i, t, r / 1024, c, (p > 0 ? sprintf("%.3f", t / p) : "-") }'
done
echo "# min..max total_ms: $(for v in "${variants[@]}"; do printf '%s %s..%s  ' "$v" \
  "$(awk -v v="$v" '$1 == v {print $3}' "$work/times" | sort -n | head -1)" \
  "$(awk -v v="$v" '$1 == v {print $3}' "$work/times" | sort -n | tail -1)"; done)"
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
# The same cold starts from CPU time, which a loaded machine disturbs far less than wall time: the JVM's CPU time
# (all threads, schedstat) to its first GET next, taken at init's share, plus its CPU time in the first invocation,
# taken at the invocation's share (CPU_QUOTA; 1 uncapped). A model of a quiet run's total, not a measurement of it.
share="${CPU_QUOTA:-1}"; [ -z "$cgroup_invoke" ] && share=1
init_share="${CPU_QUOTA_INIT:-1}"; [ -z "$cgroup_init" ] && init_share=1
echo "# CPU-time model: init_cpu / $init_share + invoke_cpu / $share (medians)"
printf '%-11s %12s %14s %11s %13s\n' variant init_cpu_ms invoke_cpu_ms modelled_ms modelled/probe
probe_model="$(awk -v s="$share" -v is="$init_share" '$1 == "probe" {print $6 / is + $7 / s}' "$work/times" | sort -n |
  awk '{t[NR] = $1} END {if (NR == 0) exit; print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2}')"
for v in "${variants[@]}"; do
  ic="$(median "$v" 6)"; vc="$(median "$v" 7)"
  m="$(awk -v v="$v" -v s="$share" -v is="$init_share" '$1 == v {print $6 / is + $7 / s}' "$work/times" | sort -n |
    awk '{t[NR] = $1} END {print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2}')"
  awk -v v="$v" -v ic="$ic" -v vc="$vc" -v m="$m" -v p="${probe_model:-0}" 'BEGIN {
    printf "%-11s %12.1f %14.1f %11.1f %13s\n", v, ic, vc, m, (p > 0 ? sprintf("%.3f", m / p) : "-") }'
done

if [ "$invocations" -gt 1 ]; then
  echo
  echo "# warm invocations: 2..$invocations of each measured JVM (back to back, under the invocation's CPU share);"
  echo "# AWS latency at the fake endpoint: ${AWS_LATENCY_MS:-0} ms; duration = event handed out -> response posted,"
  echo "# billed = rounded up to 1 ms; mean, median and p90 over the warm invocations; cpu = the JVM's CPU time meanwhile"
  echo "# (all threads, median); calls = AWS calls per invocation (all of the JVM's, cold one included, / invocations);"
  echo "# max memory used = the JVM's peak RSS (VmHWM) after the first and after the last invocation, median of JVMs, MiB"
  awk -v n="$invocations" '
    function field(name,   i) { for (i = 1; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2) }
    function ceil(x) { return (x == int(x)) ? x : int(x) + 1 }
    { v = field("variant"); i = field("i") + 0; e = field("event"); d = field("duration_ms") + 0
      c = field("cpu_ms") + 0; h = field("hwm_kb") / 1024
      if (i == 1) { first[v, ++firsts[v]] = h }
      if (i == n) { last[v, ++lasts[v]] = h }
      if (i >= 2) { for (k = 0; k < 2; k++) { key = (k == 0) ? v SUBSEP "all" : v SUBSEP e
          if (k == 1 && v != "classifier") continue
          groups[key] = 1; cnt[key]++; sum[key] += d; bsum[key] += ceil(d)
          dur[key, cnt[key]] = d; cpu[key, cnt[key]] = c } } }
    function sortn(arr, key, m,   a, b, t) {  # sorts arr[key, 1..m] in place
      for (a = 2; a <= m; a++) { t = arr[key, a]; for (b = a - 1; b >= 1 && arr[key, b] > t; b--) arr[key, b + 1] = arr[key, b]; arr[key, b + 1] = t } }
    function pct(arr, key, m, p,   r) { r = int(p * (m - 1) + 0.5) + 1; return arr[key, r] }
    function median1(arr, v, m,   a, b, t, vals) {
      for (a = 1; a <= m; a++) vals[a] = arr[v, a]
      for (a = 2; a <= m; a++) { t = vals[a]; for (b = a - 1; b >= 1 && vals[b] > t; b--) vals[b + 1] = vals[b]; vals[b + 1] = t }
      return (m % 2) ? vals[(m + 1) / 2] : (vals[m / 2] + vals[m / 2 + 1]) / 2 }
    END {
      for (key in groups) {
        split(key, part, SUBSEP); v = part[1]; e = part[2]; m = cnt[key]
        sortn(dur, key, m); sortn(cpu, key, m)
        mem = (e == "all") ? sprintf("%.1f -> %.1f", median1(first, v, firsts[v]), median1(last, v, lasts[v])) : ""
        printf "%-11s %-28s %5d %9.1f %9.1f %9.1f %11.1f %8.1f %14s\n", v, e, m, sum[key] / m, pct(dur, key, m, 0.5),
          pct(dur, key, m, 0.9), bsum[key] / m, pct(cpu, key, m, 0.5), mem
      }
    }' "$work/invocations.measured" | sort -k1,1 -k2,2 > "$work/warm-table"
  printf "%-11s %-28s %5s %9s %9s %9s %11s %8s %14s\n" variant event n mean_ms median_ms p90_ms billed_mean cpu_ms max_mem_MiB
  cat "$work/warm-table"
  printf '# AWS calls per invocation:'
  for v in "${variants[@]}"; do
    awk -v v="$v" -v n="$invocations" -v runs="$runs" '$1 == v { c[$2]++; t++ }
      END { printf "  %s %.2f (", v, t / (n * runs); s = ""; for (o in c) { printf "%s%s %.2f", s, o, c[o] / (n * runs); s = ", " } printf ")" }' \
      "$work/calls.measured"
  done
  echo
fi

if [ "${CLASSLOAD:-0}" = 1 ]; then
  measuring=classload
  for v in "${variants[@]}"; do
    once "$v" "-Xlog:class+load=info:file=$work/classes-$v:uptime" >/dev/null
    [ -z "${CLASSLOAD_DIR:-}" ] || { mkdir -p "$CLASSLOAD_DIR" && cp "$work/classes-$v" "$CLASSLOAD_DIR/"; }
  done
  # Package groups: the SDK by module (software.amazon.awssdk.services.ecs), the functions by package,
  # Jackson by library, the JDK by its top two names.
  group() {
    awk '{c = $2; n = split(c, p, ".")
      if (c ~ /^software\.amazon\.awssdk\.services\./) g = p[1] "." p[2] "." p[3] "." p[4] "." p[5]
      else if (c ~ /^software\.amazon\.awssdk\./) g = p[1] "." p[2] "." p[3] "." p[4]
      else if (c ~ /^dev\.ecsretrier\./) g = p[1] "." p[2] "." p[3]
      else if (c ~ /^com\.fasterxml\.jackson\./) g = p[1] "." p[2] "." p[3] "." p[4]
      else if (c ~ /^com\.amazonaws\./) g = "com.amazonaws (runtime client)"
      else g = p[1] "." p[2]
      print g}' "$1" | sort | uniq -c
  }
  echo "# classes loaded per package group (one -Xlog:class+load run each, not timed); groups where any variant differs from the probe"
  for v in "${variants[@]}"; do group "$work/classes-$v" | awk -v v="$v" '{print $2, v, $1}'; done > "$work/groups"
  awk -v list="${variants[*]}" 'BEGIN {n = split(list, vs, " ")}
    {count[$1, $2] = $3; g[$1] = 1}
    END {
      printf "%-48s", "group"; for (i = 1; i <= n; i++) printf " %10s", vs[i]; printf "\n"
      for (k in g) {
        same = 1; for (i = 2; i <= n; i++) if (count[k, vs[i]] + 0 != count[k, vs[1]] + 0) same = 0
        if (same) continue
        line = sprintf("%-48s", k); for (i = 1; i <= n; i++) line = line sprintf(" %10d", count[k, vs[i]])
        print line
      }
    }' "$work/groups" | sort -k1,1
  printf '%-48s' total; for v in "${variants[@]}"; do printf ' %10d' "$(wc -l < "$work/classes-$v")"; done; echo
  printf '%-48s' "uptime of the last class loaded, s"; for v in "${variants[@]}"; do
    printf ' %10s' "$(tail -1 "$work/classes-$v" | sed -E 's/^\[([0-9.]+)s\].*/\1/')"; done; echo
fi

if [ -n "${STEPS:-}" ]; then
  step_variants=()
  for v in "${variants[@]}"; do
    case "$v" in probe) step_variants+=(probe) ;; starter|classifier) step_variants+=("$v" "$v:nodry") ;; esac
  done
  for _ in $(seq "$STEPS"); do
    for v in "${step_variants[@]}"; do
      base="${v%%:*}"; flag=""; [ "$v" != "$base" ] && flag="${v#*:}"
      (cd "$task" && env -i "${lambda_env[@]}" java "${jvm_flags[@]}" -cp "$task:$ric_cp" dev.ecsretrier.handler.InitSteps \
          "$base" "$(events_of "$base" | cut -d, -f1)" $flag 2>&1 >/dev/null | grep '^STEPS ') >> "$work/steps" \
        || { echo "InitSteps $v failed" >&2; exit 1; }
    done
  done
  echo
  echo "# init steps, $STEPS rounds each (InitSteps, no runtime client, uncapped): median CPU ms [min..max] / median wall ms"
  awk '{ v = $2; if (!(v in seen)) { seen[v] = 1; order[++n] = v }
         for (i = 3; i <= NF; i++) { split($i, kv, "="); split(kv[2], cw, "/"); k = v SUBSEP kv[1]
           if (!(k in cnt)) { names[v] = names[v] " " kv[1] }
           cnt[k]++; cpu[k, cnt[k]] = cw[1] + 0; wall[k, cnt[k]] = (cw[2] == "" ? -1 : cw[2] + 0) } }
    function med(a, k, m,   i, j, t, x) { for (i = 1; i <= m; i++) x[i] = a[k, i]
      for (i = 2; i <= m; i++) { t = x[i]; for (j = i - 1; j >= 1 && x[j] > t; j--) x[j + 1] = x[j]; x[j + 1] = t }
      lo = x[1]; hi = x[m]; return (m % 2) ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2 }
    END { for (o = 1; o <= n; o++) { v = order[o]; line = sprintf("%-17s", v); split(substr(names[v], 2), ks, " ")
        for (q = 1; q in ks; q++) { k = v SUBSEP ks[q]; c = med(cpu, k, cnt[k]); l = lo; h = hi; w = med(wall, k, cnt[k])
          line = line sprintf(" %s=%d[%d..%d]", ks[q], c, l, h) (w >= 0 && ks[q] != "jvm" && ks[q] != "total" ? sprintf("/%d", w) : "") }
        print line } }' "$work/steps"
fi
