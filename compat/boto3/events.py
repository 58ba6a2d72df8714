"""EventBridge through Debian's boto3 (botocore 1.29, awsJson1_1): a second real client for
buses, rules, targets, PutEvents and delivery to SQS. Prints one JSON document of what happened;
compat/events-boto3.test.ts asserts on it.

    python3 events.py <endpoint>
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
eb = boto3.client("events", **kw)
sqs = boto3.client("sqs", **kw)
out = {"botocore": __import__("botocore").__version__}


def failure(fn, **args):
    try:
        fn(**args)
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message"),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


queue_url = sqs.create_queue(QueueName="boto-orders")["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
out["bus"] = eb.create_event_bus(Name="boto-bus")["EventBusArn"]
out["rule"] = eb.put_rule(Name="big", EventBusName="boto-bus",
                          EventPattern=json.dumps({"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}))["RuleArn"]
out["putTargets"] = eb.put_targets(Rule="big", EventBusName="boto-bus", Targets=[{
    "Id": "q", "Arn": queue_arn,
    "InputTransformer": {"InputPathsMap": {"t": "$.detail.total"}, "InputTemplate": "{\"total\": <t>, \"rule\": \"<aws.events.rule-name>\"}"},
}])
resp = eb.put_events(Entries=[
    {"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"total": 120}), "EventBusName": "boto-bus"},
    {"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"total": 5}), "EventBusName": "boto-bus"},
    {"Source": "shop", "DetailType": "OrderPlaced", "Detail": "not json", "EventBusName": "boto-bus"},
])
out["putEvents"] = {"FailedEntryCount": resp["FailedEntryCount"], "Entries": resp["Entries"]}
messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
out["bodies"] = [m["Body"] for m in messages]
out["describeRule"] = {k: v for k, v in eb.describe_rule(Name="big", EventBusName="boto-bus").items() if k != "ResponseMetadata"}
out["listRules"] = [r["Name"] for r in eb.list_rules(EventBusName="boto-bus")["Rules"]]
out["targets"] = [t["Id"] for t in eb.list_targets_by_rule(Rule="big", EventBusName="boto-bus")["Targets"]]
out["deleteWithTargets"] = failure(eb.delete_rule, Name="big", EventBusName="boto-bus")
out["describeMissing"] = failure(eb.describe_rule, Name="nope")
out["badPattern"] = failure(eb.put_rule, Name="bad", EventPattern='{"source": "shop"}')
out["testEventPattern"] = eb.test_event_pattern(
    EventPattern=json.dumps({"source": ["shop"]}),
    Event=json.dumps({"id": "1", "detail-type": "x", "source": "shop", "account": "000000000000",
                      "time": "2026-11-26T00:00:00Z", "region": "us-east-1", "resources": [], "detail": {}}))["Result"]
eb.remove_targets(Rule="big", EventBusName="boto-bus", Ids=["q"])
eb.delete_rule(Name="big", EventBusName="boto-bus")
eb.delete_event_bus(Name="boto-bus")
out["busesAfter"] = [b["Name"] for b in eb.list_event_buses()["EventBuses"]]
print(json.dumps(out))
