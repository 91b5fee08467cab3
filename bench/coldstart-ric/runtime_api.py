#!/usr/bin/env python3
"""A loopback Lambda Runtime API for one invocation, as Lambda's own serves a fresh execution environment:
the first GET .../invocation/next (the runtime client finished init) gets EVENT_FILE; the response (or
error) of that invocation is recorded; later GETs are held open, as Lambda freezes an idle environment.

Usage: runtime_api.py PORT_FILE EVENT_FILE RESULT_FILE
  writes the bound port to PORT_FILE, and, once the invocation is answered, one line to RESULT_FILE:
  "next_ms=<epoch ms of the first GET next> done_ms=<epoch ms of the response> status=response|error body=<...>"
With INIT_DONE_FILE and GO_FILE in the environment (run.sh's CPU_QUOTA), the first GET next writes
INIT_DONE_FILE and waits (up to 5 s) for GO_FILE before it answers: the bench moves the JVM from the init
phase's CPU share to the invocation's meanwhile; RESULT_FILE then also has "wait_ms=<that wait>".
API: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
"""
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime/"
REQUEST_ID = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-bench"
state = {"next_ms": None, "served": False, "wait_ms": 0}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != PREFIX + "invocation/next":
            self.reply(404)
            return
        with lock:
            first = not state["served"]
            if first:
                state["next_ms"] = int(time.time() * 1000)
                state["served"] = True
        if not first:
            time.sleep(3600)  # frozen: the bench kills the process
            return
        if os.environ.get("INIT_DONE_FILE") and os.environ.get("GO_FILE"):
            with open(os.environ["INIT_DONE_FILE"], "w") as f:
                f.write("1")
            waited = time.time()
            while not os.path.exists(os.environ["GO_FILE"]) and time.time() - waited < 5:
                time.sleep(0.001)
            state["wait_ms"] = int((time.time() - waited) * 1000)
        with open(sys.argv[2], "rb") as f:
            event = f.read()
        self.reply(200, event, {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": REQUEST_ID,
            "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 30000),
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
            "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=0",
        })

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        done_ms = int(time.time() * 1000)
        self.reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})
        if self.path.endswith("/response"):
            status = "response"
        elif self.path.endswith("/error"):
            status = "error"
        else:
            return
        line = "next_ms=%s done_ms=%d wait_ms=%d status=%s body=%s\n" % (
            state["next_ms"], done_ms, state["wait_ms"], status, body.decode("utf-8", "replace").replace("\n", " "))
        tmp = sys.argv[3] + ".tmp"
        with open(tmp, "w") as f:
            f.write(line)
        os.replace(tmp, sys.argv[3])


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
