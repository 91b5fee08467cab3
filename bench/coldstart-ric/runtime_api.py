#!/usr/bin/env python3
"""A loopback Lambda Runtime API, as Lambda's own serves an execution environment: the first GET
.../invocation/next (the runtime client finished init) gets the first event; each response (or error)
is recorded; with INVOCATIONS=N (default 1) the next GETs get the next events, back to back as a busy
function receives them, each with its own request id; GETs past the last are held open, as Lambda
freezes an idle environment.

Usage: runtime_api.py PORT_FILE EVENT_FILE[,EVENT_FILE...] RESULT_FILE
  writes the bound port to PORT_FILE, and, once the first invocation is answered, one line to RESULT_FILE:
  "next_ms=<epoch ms of the first GET next> done_ms=<epoch ms of the response> wait_ms=<the bench's own time,
  to subtract> init_cpu_ms=<the JVM's CPU time (all threads) when it first asked for an invocation>
  invoke_cpu_ms=<its CPU time during the first invocation> status=response|error body=<...>". Invocation i takes EVENT_FILE number (i - 1) mod count.
With INVOCATIONS=N > 1 it also appends one line per invocation to RESULT_FILE.invocations:
  "i=<n> event=<file name> status=response|error duration_ms=<hand-out to response> cpu_ms=<the JVM's CPU
  time meanwhile, all threads> hwm_kb=<the JVM's peak RSS so far> rss_kb=<its RSS after the response>"
  The duration is Lambda's: from the event handed out to the response posted (Lambda bills it rounded up
  to 1 ms, https://aws.amazon.com/lambda/pricing/). The peak RSS so far is what Lambda's REPORT line calls
  Max Memory Used: "When invocations share an execution environment, Lambda reports the maximum memory
  used across all invocations" (https://docs.aws.amazon.com/lambda/latest/dg/java-logging.html). The JVM
  is found by its AWS_LAMBDA_RUNTIME_API (this server's port), before the first event is handed out, and
  that search counts as the bench's own time (wait_ms).
With INIT_DONE_FILE and GO_FILE in the environment (run.sh's CPU_QUOTA), the first GET next writes
INIT_DONE_FILE and waits (up to 5 s) for GO_FILE before it answers: the bench moves the JVM from the init
phase's CPU share to the invocation's meanwhile; that wait counts in wait_ms too.
API: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
"""
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime/"
REQUEST_ID = "8476a536-e9f4-11e8-9739-2dfe598c%04x"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-bench"
INVOCATIONS = int(os.environ.get("INVOCATIONS", "1"))
EVENT_FILES = sys.argv[2].split(",")
EVENTS = []
for name in EVENT_FILES:
    with open(name, "rb") as f:
        EVENTS.append(f.read())
state = {"next_ms": None, "wait_ms": 0, "handed": 0, "pid": None, "open": {}}
lock = threading.Lock()


def find_jvm(port):
    """The process whose runtime API is this server: the JVM the runtime client runs in."""
    wanted = b"AWS_LAMBDA_RUNTIME_API=127.0.0.1:%d" % port
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % entry, "rb") as f:
                if wanted in f.read().split(b"\0"):
                    with open("/proc/%s/comm" % entry) as c:
                        if c.read().strip() == "java":
                            return int(entry)
        except OSError:
            continue
    return None


def cpu_ns(pid):
    """Time on a CPU of all the process's threads (schedstat, nanoseconds)."""
    total = 0
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                    total += int(f.read().split()[0])
            except OSError:
                pass  # a thread that ended meanwhile
    except OSError:
        return 0
    return total


def memory_kb(pid):
    """(VmHWM, VmRSS) of the process, in kB."""
    values = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    values[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return values.get("VmHWM", 0), values.get("VmRSS", 0)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # http.server writes the headers and the body apart: with Nagle's algorithm the body waits for the
    # client's delayed ACK (about 40 ms on Linux), a stall no AWS endpoint adds.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        if self.path != PREFIX + "invocation/next":
            self.reply(404)
            return
        with lock:
            number = state["handed"] + 1
            if number <= INVOCATIONS:
                state["handed"] = number
        if number > INVOCATIONS:
            time.sleep(3600)  # frozen: the bench kills the process
            return
        if number == 1:
            state["next_ms"] = int(time.time() * 1000)
            waited = time.time()
            if os.environ.get("INIT_DONE_FILE") and os.environ.get("GO_FILE"):
                with open(os.environ["INIT_DONE_FILE"], "w") as f:
                    f.write("1")
                while not os.path.exists(os.environ["GO_FILE"]) and time.time() - waited < 5:
                    time.sleep(0.001)
            state["pid"] = find_jvm(self.server.server_address[1])
            state["wait_ms"] = int((time.time() - waited) * 1000)
        request_id = REQUEST_ID % number
        event_file = EVENT_FILES[(number - 1) % len(EVENTS)]
        cpu_before = cpu_ns(state["pid"]) if state["pid"] else 0
        with lock:  # before the reply: its response can come back at once
            state["open"][request_id] = [number, os.path.basename(event_file), time.perf_counter_ns(), cpu_before]
        self.reply(200, EVENTS[(number - 1) % len(EVENTS)], {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 30000),
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
            "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=0",
        })
        handed = time.perf_counter_ns()
        with lock:  # the duration starts once the event is handed out
            if request_id in state["open"]:
                state["open"][request_id][2] = handed

    def do_POST(self):
        arrived = time.perf_counter_ns()
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        done_ms = int(time.time() * 1000)
        self.reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})
        if self.path.endswith("/response"):
            status = "response"
        elif self.path.endswith("/error"):
            status = "error"
        else:
            return
        if self.path.startswith(PREFIX + "invocation/"):
            request_id = self.path[len(PREFIX + "invocation/"):].split("/")[0]
        else:
            request_id = None  # /runtime/init/error: init failed, the first invocation's result says so
        with lock:
            number, event, handed, cpu_before = state["open"].pop(request_id, (1, "init", arrived, 0))
        if number == 1:
            pid = state["pid"]
            invoke_cpu = (cpu_ns(pid) - cpu_before) / 1e6 if pid else -1
            line = "next_ms=%s done_ms=%d wait_ms=%d init_cpu_ms=%.1f invoke_cpu_ms=%.1f status=%s body=%s\n" % (
                state["next_ms"], done_ms, state["wait_ms"], cpu_before / 1e6 if pid else -1, invoke_cpu, status,
                body.decode("utf-8", "replace").replace("\n", " "))
            tmp = sys.argv[3] + ".tmp"
            with open(tmp, "w") as f:
                f.write(line)
            os.replace(tmp, sys.argv[3])
        if INVOCATIONS > 1:
            pid = state["pid"]
            cpu = (cpu_ns(pid) - cpu_before) / 1e6 if pid else -1
            hwm, rss = memory_kb(pid) if pid else (0, 0)
            with open(sys.argv[3] + ".invocations", "a") as f:
                f.write("i=%d event=%s status=%s duration_ms=%.3f cpu_ms=%.3f hwm_kb=%d rss_kb=%d\n" % (
                    number, event, status, (arrived - handed) / 1e6, cpu, hwm, rss))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
