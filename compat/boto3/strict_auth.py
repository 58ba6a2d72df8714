"""Strict mode (SigV4 verified) with Debian's boto3 1.26 / botocore 1.29 (run with /usr/bin/python3).

Usage: strict_auth.py <endpoint> <access key> <secret>

Calls SQS (query protocol in this botocore), SNS (query) and EventBridge (JSON 1.1) with the
right credentials, with the right key and a wrong secret, and with a key Switchyard does not
know; then a presigned URL (query-string auth) for SQS ListQueues, as made and as tampered with.
Prints one JSON document of what happened; compat/strict-auth.test.ts does the asserting.
"""

import json
import sys
import urllib.error
import urllib.request

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT, KEY, SECRET = sys.argv[1], sys.argv[2], sys.argv[3]


def client(service, key, secret):
    return boto3.session.Session().client(
        service,
        endpoint_url=ENDPOINT,
        region_name='us-east-1',
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={'max_attempts': 0}),
    )


def attempt(call):
    try:
        result = call()
        result.pop('ResponseMetadata', None)
        return {'ok': True, 'result': result}
    except ClientError as e:
        return {
            'ok': False,
            'code': e.response['Error'].get('Code'),
            'message': e.response['Error'].get('Message'),
            'status': e.response['ResponseMetadata'].get('HTTPStatusCode'),
        }


CALLS = {
    'sqs': lambda c: c.create_queue(QueueName='boto-strict'),
    'sns': lambda c: c.create_topic(Name='boto-strict'),
    'events': lambda c: c.list_event_buses(),
}

out = {'botocore': botocore.__version__, 'calls': {}}
for label, key, secret in [('right', KEY, SECRET), ('wrongSecret', KEY, SECRET + 'x'), ('unknownKey', 'AKIDNOBODY', SECRET)]:
    out['calls'][label] = {service: attempt(lambda: call(client(service, key, secret))) for service, call in CALLS.items()}


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return {'status': r.status, 'body': r.read().decode('utf-8')}
    except urllib.error.HTTPError as e:
        return {'status': e.code, 'body': e.read().decode('utf-8')}


# botocore signs a presigned URL for the model's method (POST for the query protocol) unless told.
url = client('sqs', KEY, SECRET).generate_presigned_url('list_queues', Params={}, ExpiresIn=300, HttpMethod='GET')
out['presignedUrl'] = url
out['presigned'] = fetch(url)
out['presignedTampered'] = fetch(url.replace('Action=ListQueues', 'Action=ListQueues&QueueNamePrefix=x'))
print(json.dumps(out))
