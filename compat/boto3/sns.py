"""SNS over the query protocol with Debian's boto3 1.26 / botocore 1.29 (run with /usr/bin/python3).

Usage: sns.py <endpoint>

Drives topics, subscriptions to SQS queues (made with boto3's SQS client), Publish with every
attribute type, PublishBatch, FIFO topics, tags and the modeled errors, then reads the queues.
Prints one JSON document on stdout of what the calls returned and how they failed; the vitest
file (compat/sns-boto3.test.ts) does the asserting. Every SNS request and response is recorded
through botocore's before-send / after-call hooks so the test can check the query forms.

Deliveries are asynchronous: queues are read by long polling with a short WaitTimeSeconds
(it returns as soon as a message is there) until the expected number has arrived.
"""

import json
import sys
import time

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1]
WIRE = []


def _record_request(request, **_):
    body = request.body
    if isinstance(body, bytes):
        body = body.decode('utf-8')
    WIRE.append({
        'method': request.method,
        'url': request.url,
        'contentType': request.headers.get('Content-Type', b''),
        'body': body or '',
    })


def _record_response(http_response, model, **_):
    if WIRE:
        WIRE[-1]['operation'] = model.name
        WIRE[-1]['status'] = http_response.status_code
        WIRE[-1]['responseType'] = http_response.headers.get('content-type')
        WIRE[-1]['responseBody'] = http_response.content.decode('utf-8')


def make_client(service):
    return boto3.session.Session().client(
        service,
        endpoint_url=ENDPOINT,
        region_name='us-east-1',
        aws_access_key_id='AKIDBOTO3SNS',
        aws_secret_access_key='secret',
        config=Config(retries={'max_attempts': 0}),
    )


sns = make_client('sns')
sns.meta.events.register('before-send.sns.*', _record_request)
sns.meta.events.register('after-call.sns.*', _record_response)
sqs = make_client('sqs')


def plain(v):
    """JSON-safe copy of a botocore result: bytes -> {'bytes': [...]}, drop ResponseMetadata."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items() if k != 'ResponseMetadata'}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, (bytes, bytearray)):
        return {'bytes': list(v)}
    return v


def fail(fn, **kwargs):
    """Call, expecting a ClientError; report how botocore presented it."""
    try:
        fn(**kwargs)
    except ClientError as e:
        err = e.response['Error']
        return {
            'class': type(e).__name__,
            'code': err.get('Code'),
            'type': err.get('Type'),
            'message': err.get('Message'),
            'status': e.response['ResponseMetadata']['HTTPStatusCode'],
            'requestId': e.response['ResponseMetadata'].get('RequestId'),
            'isNotFound': isinstance(e, sns.exceptions.NotFoundException),
            'isInvalidParameter': isinstance(e, sns.exceptions.InvalidParameterException),
            'isInvalidParameterValue': isinstance(e, sns.exceptions.InvalidParameterValueException),
        }
    return {'class': None, 'code': 'NO ERROR'}


def queue(name, **attributes):
    url = sqs.create_queue(QueueName=name, Attributes=attributes)['QueueUrl']
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
    return url, arn


def collect(url, n, deadline_s=5.0):
    """Long-poll (1 s at a time) until n messages have arrived or the deadline passes; delete them."""
    got = []
    end = time.monotonic() + deadline_s
    while len(got) < n and time.monotonic() < end:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                AttributeNames=['All'], MessageAttributeNames=['All'])
        for m in r.get('Messages', []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m['ReceiptHandle'])
            got.append(m)
    return got


def leftover(url):
    """Whatever is still in the queue, without waiting."""
    return [m['Body'] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get('Messages', [])]


def main():
    out = {'versions': {'boto3': boto3.__version__, 'botocore': botocore.__version__},
           'protocol': sns.meta.service_model.protocol,
           'apiVersion': sns.meta.service_model.api_version}

    # --- Topics ------------------------------------------------------------------------------
    arn = sns.create_topic(Name='b3-orders', Attributes={'DisplayName': 'Orders'},
                           Tags=[{'Key': 'team', 'Value': 'ops'}, {'Key': 'env', 'Value': 'test'}])['TopicArn']
    fifo_arn = sns.create_topic(Name='b3-orders.fifo',
                                Attributes={'FifoTopic': 'true', 'ContentBasedDeduplication': 'false'},
                                Tags=[{'Key': 'kind', 'Value': 'fifo'}])['TopicArn']
    out['topics'] = {
        'arn': arn,
        'fifoArn': fifo_arn,
        'idempotent': sns.create_topic(Name='b3-orders', Attributes={'DisplayName': 'Orders'})['TopicArn'],
        'fifoIdempotent': sns.create_topic(Name='b3-orders.fifo', Attributes={'FifoTopic': 'true'})['TopicArn'],
        'list': sorted(t['TopicArn'] for t in sns.list_topics()['Topics']),
        'attributes': sns.get_topic_attributes(TopicArn=arn)['Attributes'],
        'fifoAttributes': sns.get_topic_attributes(TopicArn=fifo_arn)['Attributes'],
        'tags': sns.list_tags_for_resource(ResourceArn=arn)['Tags'],
        'fifoTags': sns.list_tags_for_resource(ResourceArn=fifo_arn)['Tags'],
    }
    sns.set_topic_attributes(TopicArn=arn, AttributeName='DisplayName', AttributeValue='Orders 2')
    out['topics']['afterSet'] = sns.get_topic_attributes(TopicArn=arn)['Attributes']['DisplayName']

    # --- Subscriptions -----------------------------------------------------------------------
    raw_url, raw_arn = queue('b3-raw')
    env_url, env_arn = queue('b3-env')
    fifo_url, fifo_q_arn = queue('b3-fifo.fifo', FifoQueue='true')
    policy = {'colour': ['red']}
    raw_sub = sns.subscribe(TopicArn=arn, Protocol='sqs', Endpoint=raw_arn, ReturnSubscriptionArn=True,
                            Attributes={'RawMessageDelivery': 'true', 'FilterPolicy': json.dumps(policy)})['SubscriptionArn']
    env_sub = sns.subscribe(TopicArn=arn, Protocol='sqs', Endpoint=env_arn)['SubscriptionArn']
    fifo_sub = sns.subscribe(TopicArn=fifo_arn, Protocol='sqs', Endpoint=fifo_q_arn,
                             Attributes={'RawMessageDelivery': 'true'})['SubscriptionArn']
    out['subscriptions'] = {
        'raw': raw_sub,
        'env': env_sub,
        'fifo': fifo_sub,
        'queues': {'raw': raw_arn, 'env': env_arn, 'fifo': fifo_q_arn},
        'again': sns.subscribe(TopicArn=arn, Protocol='sqs', Endpoint=env_arn)['SubscriptionArn'],
        'rawAttributes': sns.get_subscription_attributes(SubscriptionArn=raw_sub)['Attributes'],
        'envAttributes': sns.get_subscription_attributes(SubscriptionArn=env_sub)['Attributes'],
        'byTopic': sorted(sns.list_subscriptions_by_topic(TopicArn=arn)['Subscriptions'], key=lambda s: s['Endpoint']),
        'confirmed': sns.get_topic_attributes(TopicArn=arn)['Attributes']['SubscriptionsConfirmed'],
    }

    # --- Publish: every attribute type, a Subject, one message filtered out of the raw queue ---
    attrs = {
        'colour': {'DataType': 'String', 'StringValue': 'red'},
        'size': {'DataType': 'Number', 'StringValue': '42.5'},
        'blob': {'DataType': 'Binary', 'BinaryValue': b'\x01\x02\x03'},
        'tags': {'DataType': 'String.Array', 'StringValue': '["a","b"]'},
    }
    blue = sns.publish(TopicArn=arn, Message='blue one', Subject='Colours',
                       MessageAttributes={'colour': {'DataType': 'String', 'StringValue': 'blue'}})
    red = sns.publish(TopicArn=arn, Message='red & <one>', Subject='Colours', MessageAttributes=attrs)
    out['publish'] = {
        'blue': plain(blue),
        'red': plain(red),
        'raw': plain(collect(raw_url, 1)),
        'env': plain(collect(env_url, 2)),
        'missingTopic': fail(sns.publish, TopicArn=arn + '-gone', Message='x'),
        'badNumber': fail(sns.publish, TopicArn=arn, Message='x',
                          MessageAttributes={'n': {'DataType': 'Number', 'StringValue': 'not a number'}}),
    }

    # --- PublishBatch: one entry fails, the rest are delivered -------------------------------
    batch = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {'Id': 'ok-1', 'Message': 'batch one', 'MessageAttributes': {'colour': {'DataType': 'String', 'StringValue': 'red'}}},
        {'Id': 'bad', 'Message': 'batch bad', 'MessageAttributes': {'n': {'DataType': 'Number', 'StringValue': 'NaN?'}}},
        {'Id': 'ok-2', 'Message': 'batch two', 'Subject': 'Batch',
         'MessageAttributes': {'colour': {'DataType': 'String', 'StringValue': 'red'}}},
    ])
    out['batch'] = {
        'result': plain(batch),
        'raw': plain(collect(raw_url, 2)),
        'env': plain(collect(env_url, 2)),
    }

    # --- FIFO: group and dedup ids, sequence numbers, a deduplicated repeat -------------------
    f1 = sns.publish(TopicArn=fifo_arn, Message='f1', MessageGroupId='g', MessageDeduplicationId='d1')
    f1_again = sns.publish(TopicArn=fifo_arn, Message='f1 again', MessageGroupId='g', MessageDeduplicationId='d1')
    f2 = sns.publish(TopicArn=fifo_arn, Message='f2', MessageGroupId='g', MessageDeduplicationId='d2')
    out['fifo'] = {
        'first': plain(f1),
        'duplicate': plain(f1_again),
        'second': plain(f2),
        'received': plain(collect(fifo_url, 2)),
        'noGroup': fail(sns.publish, TopicArn=fifo_arn, Message='x', MessageDeduplicationId='d3'),
    }

    # --- Tags --------------------------------------------------------------------------------
    sns.tag_resource(ResourceArn=arn, Tags=[{'Key': 'cost', 'Value': 'center-1'}, {'Key': 'env', 'Value': 'prod'}])
    tagged = sns.list_tags_for_resource(ResourceArn=arn)['Tags']
    sns.untag_resource(ResourceArn=arn, TagKeys=['team', 'cost'])
    out['tags'] = {
        'afterTag': tagged,
        'afterUntag': sns.list_tags_for_resource(ResourceArn=arn)['Tags'],
        'missing': fail(sns.list_tags_for_resource, ResourceArn=arn + '-gone'),
    }

    # --- Unsubscribe / DeleteTopic -----------------------------------------------------------
    sns.unsubscribe(SubscriptionArn=raw_sub)
    out['unsubscribe'] = {
        'remaining': [s['SubscriptionArn'] for s in sns.list_subscriptions_by_topic(TopicArn=arn)['Subscriptions']],
        'attributesGone': fail(sns.get_subscription_attributes, SubscriptionArn=raw_sub),
        'deleted': sns.get_topic_attributes(TopicArn=arn)['Attributes']['SubscriptionsDeleted'],
    }
    # Nothing else reached the raw queue (the blue message was filtered out), nor the others.
    out['leftover'] = {'raw': leftover(raw_url), 'env': leftover(env_url), 'fifo': leftover(fifo_url)}
    sns.delete_topic(TopicArn=arn)
    out['deleteTopic'] = {
        'topicsAfter': [t['TopicArn'] for t in sns.list_topics()['Topics']],
        'getDeleted': fail(sns.get_topic_attributes, TopicArn=arn),
        'againOk': sns.delete_topic(TopicArn=arn)['ResponseMetadata']['HTTPStatusCode'],
    }

    # --- Errors as botocore raises them ------------------------------------------------------
    out['errors'] = {
        'missingTopic': fail(sns.get_topic_attributes, TopicArn='arn:aws:sns:us-east-1:000000000000:b3-nope'),
        'badName': fail(sns.create_topic, Name='bad name!'),
        'fifoNameWithoutAttribute': fail(sns.create_topic, Name='plain.fifo'),
        'badNumber': fail(sns.publish, TopicArn=fifo_arn, Message='x', MessageGroupId='g', MessageDeduplicationId='d9',
                          MessageAttributes={'n': {'DataType': 'Number', 'StringValue': '12abc'}}),
        'subscribeMissingTopic': fail(sns.subscribe, TopicArn='arn:aws:sns:us-east-1:000000000000:b3-nope',
                                      Protocol='sqs', Endpoint=env_arn),
    }

    out['wire'] = WIRE
    return out


if __name__ == '__main__':
    json.dump(main(), sys.stdout, ensure_ascii=False, default=lambda o: o.decode() if isinstance(o, bytes) else str(o))
    sys.stdout.write('\n')
