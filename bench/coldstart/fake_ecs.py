#!/usr/bin/env python3
"""A tiny stand-in for ECS, EventBridge Scheduler, SNS and CloudWatch Logs on 127.0.0.1, enough for the
handlers' requests: RunTask answers a started task, DescribeTasks a stopped task with ecs-retrier's
tags, CreateSchedule (POST /schedules/NAME) a schedule ARN, GetSchedule (GET /schedules/NAME) not found, SNS
Publish a message id, FilterLogEvents no events (a run's history read when it ends).

Usage: fake_ecs.py PORT_FILE  -- binds a free port and writes it to PORT_FILE.
Environment:
  AWS_LATENCY_MS="15[,RunTask=120,...]"  each answer waits that long (default 0): a round trip to the service as
      a function in the same Region sees it, an assumption of the bench (AWS publishes no latency figures); a
      default for every operation, then per operation (RunTask, DescribeTasks, GetSchedule, CreateSchedule,
      Publish, FilterLogEvents).
  CALL_LOG=FILE  appends each answered operation's name to FILE, one a line.
"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def latencies(spec):
    """'15,RunTask=120' -> (0.015, {'RunTask': 0.12})"""
    default, per_operation = 0.0, {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        if "=" in part:
            name, ms = part.split("=", 1)
            per_operation[name.strip()] = float(ms) / 1000
        else:
            default = float(part) / 1000
    return default, per_operation


LATENCY, LATENCY_BY_OPERATION = latencies(os.environ.get("AWS_LATENCY_MS", ""))
CALL_LOG = os.environ.get("CALL_LOG")


def answered(operation):
    """Waits the operation's latency, and logs the call."""
    wait = LATENCY_BY_OPERATION.get(operation, LATENCY)
    if wait > 0:
        time.sleep(wait)
    if CALL_LOG:
        with open(CALL_LOG, "a") as f:
            f.write(operation + "\n")

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


DESCRIBED = {
    "tasks": [{
        "taskArn": "arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77",
        "clusterArn": "arn:aws:ecs:us-east-1:111122223333:cluster/batch",
        "lastStatus": "STOPPED",
        "tags": [{"key": "ecs-retrier:run-id", "value": "run-7f3a"}, {"key": "ecs-retrier:attempt", "value": "1"},
                 {"key": "ecs-retrier:max-attempts", "value": "3"}],
        "overrides": {"containerOverrides": [{"name": "app", "environment": [
            {"name": "RETRIER_RUN_ID", "value": "run-7f3a"}, {"name": "RETRIER_ATTEMPT", "value": "1"},
            {"name": "RETRIER_MAX_ATTEMPTS", "value": "3"}]}]},
    }],
    "failures": [],
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # http.server writes the headers and the body apart: with Nagle's algorithm the body waits for the
    # client's delayed ACK (about 40 ms on Linux), a stall no AWS endpoint adds.
    disable_nagle_algorithm = True

    def do_GET(self):
        # GetSchedule (GET /schedules/NAME): the starter's check for a run's cancel marker; there is none.
        # https://docs.aws.amazon.com/scheduler/latest/APIReference/API_GetSchedule.html
        body = json.dumps({"Message": "Schedule not found"}).encode()
        answered("GetSchedule")
        self.send_response(404 if self.path.startswith("/schedules/") else 400)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-ErrorType", "ResourceNotFoundException")
        self.send_header("x-amzn-RequestId", "bench")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        target = self.headers.get("X-Amz-Target", "")
        content_type = "application/x-amz-json-1.1"
        if target.endswith(".RunTask"):
            status, body, operation = 200, json.dumps(TASK).encode(), "RunTask"
        elif target.endswith(".DescribeTasks"):
            status, body, operation = 200, json.dumps(DESCRIBED).encode(), "DescribeTasks"
        elif target.endswith(".FilterLogEvents"):
            # https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
            status, body, operation = 200, json.dumps({"events": [], "searchedLogStreams": []}).encode(), "FilterLogEvents"
        elif self.path.startswith("/schedules/"):
            status, body = 200, json.dumps({"ScheduleArn": "arn:aws:scheduler:us-east-1:111122223333:schedule/default/x"}).encode()
            content_type, operation = "application/json", "CreateSchedule"
        elif self.path == "/" and not target:
            status, content_type, operation = 200, "text/xml", "Publish"
            body = (b'<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
                    b'<MessageId>bench</MessageId></PublishResult><ResponseMetadata><RequestId>bench</RequestId>'
                    b'</ResponseMetadata></PublishResponse>')
        else:
            status, body = 400, json.dumps({"__type": "UnexpectedOperation", "message": target}).encode()
            operation = "unexpected:" + target
        answered(operation)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
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
