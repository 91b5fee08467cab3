#!/usr/bin/env python3
"""A tiny stand-in for ECS on 127.0.0.1: answers every RunTask with a started task.

Usage: fake_ecs.py PORT_FILE  -- binds a free port and writes it to PORT_FILE.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TASK = {
    "tasks": [{
        "taskArn": "arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77",
        "clusterArn": "arn:aws:ecs:us-east-1:111122223333:cluster/batch",
        "lastStatus": "PROVISIONING",
        "desiredStatus": "RUNNING",
        "startedBy": "ecs-retrier",
    }],
    "failures": [],
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        target = self.headers.get("X-Amz-Target", "")
        if target.endswith(".RunTask"):
            status, body = 200, json.dumps(TASK).encode()
        else:
            status, body = 400, json.dumps({"__type": "UnexpectedOperation", "message": target}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", "bench")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()
