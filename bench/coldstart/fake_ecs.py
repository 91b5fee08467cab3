#!/usr/bin/env python3
"""A tiny stand-in for ECS, EventBridge Scheduler and SNS on 127.0.0.1, enough for one handled request
of each handler: RunTask answers a started task, DescribeTasks a stopped task with ecs-retrier's
tags, CreateSchedule (POST /schedules/NAME) a schedule ARN, GetSchedule (GET /schedules/NAME) not found, SNS Publish a message id.

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

    def do_GET(self):
        # GetSchedule (GET /schedules/NAME): the starter's check for a run's cancel marker; there is none.
        # https://docs.aws.amazon.com/scheduler/latest/APIReference/API_GetSchedule.html
        body = json.dumps({"Message": "Schedule not found"}).encode()
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
            status, body = 200, json.dumps(TASK).encode()
        elif target.endswith(".DescribeTasks"):
            status, body = 200, json.dumps(DESCRIBED).encode()
        elif self.path.startswith("/schedules/"):
            status, body = 200, json.dumps({"ScheduleArn": "arn:aws:scheduler:us-east-1:111122223333:schedule/default/x"}).encode()
            content_type = "application/json"
        elif self.path == "/" and not target:
            status, content_type = 200, "text/xml"
            body = (b'<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
                    b'<MessageId>bench</MessageId></PublishResult><ResponseMetadata><RequestId>bench</RequestId>'
                    b'</ResponseMetadata></PublishResponse>')
        else:
            status, body = 400, json.dumps({"__type": "UnexpectedOperation", "message": target}).encode()
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
