"""SQS over the query protocol with Debian's boto3 1.26 / botocore 1.29 (run with /usr/bin/python3).

Usage: sqs_query.py <endpoint> <scenario> [<json state>]

Prints one JSON document on stdout: what the calls returned and how they failed. The vitest
file (compat/sqs-boto3.test.ts) does all the asserting; this script only drives the client and
reports. Scenarios:

  ops       every operation the client has (20), happy path and misuse, and the semantics
            that need no clock (attributes, digests, CRLF bodies, batches, FIFO, redrive, ...)
  timed-1   first half of the clock-based checks; prints state for timed-2
  timed-2   second half, run after the test has advanced the server's clock

Every request and response is recorded through botocore's event hooks (before-send and
after-call) so the test can check that the client really spoke query/XML.
"""

import json
import sys

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1]
SCENARIO = sys.argv[2]
STATE = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}

WIRE = []


def _record_request(request, **_):
    body = request.body
    if isinstance(body, bytes):
        body = body.decode('utf-8')
    WIRE.append({
        'method': request.method,
        'url': request.url,
        'contentType': request.headers.get('Content-Type', b''),
        'amzTarget': request.headers.get('X-Amz-Target'),
        'body': body or '',
    })
    return None


def _record_response(http_response, model, **_):
    if WIRE:
        WIRE[-1]['operation'] = model.name
        WIRE[-1]['status'] = http_response.status_code
        WIRE[-1]['responseType'] = http_response.headers.get('content-type')
        WIRE[-1]['responseBody'] = http_response.content.decode('utf-8')


def make_client(validate=True):
    c = boto3.session.Session().client(
        'sqs',
        endpoint_url=ENDPOINT,
        region_name='us-east-1',
        aws_access_key_id='AKIDBOTO3QUERY',
        aws_secret_access_key='secret',
        config=Config(retries={'max_attempts': 0}, parameter_validation=validate),
    )
    c.meta.events.register('before-send.sqs.*', _record_request)
    c.meta.events.register('after-call.sqs.*', _record_response)
    return c


sqs = make_client()
# For misuse the client itself would refuse (empty lists below the model's minimum, ...).
raw = make_client(validate=False)


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
            'isQueueDoesNotExist': isinstance(e, sqs.exceptions.QueueDoesNotExist),
        }
    return {'class': None, 'code': 'NO ERROR'}


def url_of(name):
    return sqs.get_queue_url(QueueName=name)['QueueUrl']


def scenario_ops():
    out = {'versions': {'boto3': boto3.__version__, 'botocore': botocore.__version__},
           'protocol': sqs.meta.service_model.protocol,
           'operations': sorted(sqs.meta.service_model.operation_names)}

    # --- CreateQueue / GetQueueUrl / ListQueues / DeleteQueue -------------------------------
    main = sqs.create_queue(QueueName='b3-main', Attributes={'VisibilityTimeout': '40'},
                            tags={'team': 'ops', 'env': 'test'})['QueueUrl']
    out['create'] = {
        'url': main,
        'idempotent': sqs.create_queue(QueueName='b3-main', Attributes={'VisibilityTimeout': '40'})['QueueUrl'],
        'conflict': fail(sqs.create_queue, QueueName='b3-main', Attributes={'VisibilityTimeout': '41'}),
        'unknownAttribute': fail(sqs.create_queue, QueueName='b3-bad', Attributes={'Colour': 'blue'}),
        'badValue': fail(sqs.create_queue, QueueName='b3-bad', Attributes={'DelaySeconds': '901'}),
        'badName': fail(sqs.create_queue, QueueName='b3 bad!'),
        'tags': sqs.list_queue_tags(QueueUrl=main).get('Tags'),
    }
    out['getQueueUrl'] = {
        'found': url_of('b3-main'),
        'withOwner': sqs.get_queue_url(QueueName='b3-main', QueueOwnerAWSAccountId='000000000000')['QueueUrl'],
        'missing': fail(sqs.get_queue_url, QueueName='b3-nope'),
    }
    for n in ['b3-list-1', 'b3-list-2', 'b3-list-3']:
        sqs.create_queue(QueueName=n)
    page1 = sqs.list_queues(QueueNamePrefix='b3-list-', MaxResults=2)
    page2 = sqs.list_queues(QueueNamePrefix='b3-list-', MaxResults=2, NextToken=page1['NextToken'])
    out['listQueues'] = {
        'prefix': sqs.list_queues(QueueNamePrefix='b3-list-').get('QueueUrls'),
        'page1': page1.get('QueueUrls'),
        'page1HasToken': 'NextToken' in page1,
        'page2': page2.get('QueueUrls'),
        'page2HasToken': 'NextToken' in page2,
        'none': sqs.list_queues(QueueNamePrefix='b3-zzz').get('QueueUrls'),
        'badMax': fail(sqs.list_queues, MaxResults=0),
    }
    doomed = sqs.create_queue(QueueName='b3-doomed')['QueueUrl']
    sqs.delete_queue(QueueUrl=doomed)
    out['deleteQueue'] = {
        'afterDelete': fail(sqs.get_queue_url, QueueName='b3-doomed'),
        'again': fail(sqs.delete_queue, QueueUrl=doomed),
        'recreate': fail(sqs.create_queue, QueueName='b3-doomed'),
    }

    # --- Get/SetQueueAttributes --------------------------------------------------------------
    sqs.set_queue_attributes(QueueUrl=main, Attributes={'DelaySeconds': '0', 'MaximumMessageSize': '2048'})
    out['attributes'] = {
        'all': sqs.get_queue_attributes(QueueUrl=main, AttributeNames=['All'])['Attributes'],
        'some': sqs.get_queue_attributes(QueueUrl=main, AttributeNames=['MaximumMessageSize', 'QueueArn'])['Attributes'],
        'unknownGet': fail(sqs.get_queue_attributes, QueueUrl=main, AttributeNames=['Bogus']),
        'unknownSet': fail(sqs.set_queue_attributes, QueueUrl=main, Attributes={'Bogus': '1'}),
        'badSet': fail(sqs.set_queue_attributes, QueueUrl=main, Attributes={'VisibilityTimeout': '-1'}),
        'missingQueue': fail(sqs.get_queue_attributes, QueueUrl=main + '-gone', AttributeNames=['All']),
    }

    # --- SendMessage / ReceiveMessage with attributes and digests ----------------------------
    worked = {
        'City': {'DataType': 'String', 'StringValue': 'Any City'},
        'Population': {'DataType': 'Number', 'StringValue': '1250800'},
        'Blob': {'DataType': 'Binary', 'BinaryValue': b'\x01\x02\x03'},
    }
    msgq = sqs.create_queue(QueueName='b3-messages')['QueueUrl']
    sent = sqs.send_message(QueueUrl=msgq, MessageBody='{"hello":"world"}', MessageAttributes=worked)
    crlf_body = 'line1\r\nline2\r\n\t& <x a="1"> \'q\' \rCR only héllo 🌍'
    sent_crlf = sqs.send_message(QueueUrl=msgq, MessageBody=crlf_body)
    got_all = sqs.receive_message(QueueUrl=msgq, AttributeNames=['All'], MessageAttributeNames=['All'],
                                  MaxNumberOfMessages=10, VisibilityTimeout=0)
    got_some = sqs.receive_message(QueueUrl=msgq, AttributeNames=['ApproximateReceiveCount'],
                                   MessageAttributeNames=['Population', 'Blob'], MaxNumberOfMessages=10,
                                   VisibilityTimeout=0)
    got_none = sqs.receive_message(QueueUrl=msgq, MaxNumberOfMessages=10)
    out['messages'] = {
        'sent': plain(sent),
        'sentCrlf': plain(sent_crlf),
        'crlfBody': crlf_body,
        'all': plain(got_all.get('Messages')),
        'some': plain(got_some.get('Messages')),
        'none': plain(got_none.get('Messages')),
        'sendMissingQueue': fail(sqs.send_message, QueueUrl=msgq + '-gone', MessageBody='x'),
        'sendEmptyBody': fail(sqs.send_message, QueueUrl=msgq, MessageBody=''),
        'sendBadChars': fail(sqs.send_message, QueueUrl=msgq, MessageBody='bell\x07'),
        'sendBadNumber': fail(sqs.send_message, QueueUrl=msgq, MessageBody='x',
                              MessageAttributes={'n': {'DataType': 'Number', 'StringValue': 'NaN!'}}),
        'sendTooBig': fail(sqs.send_message, QueueUrl=main, MessageBody='x' * 4096),
        'receiveTooMany': fail(sqs.receive_message, QueueUrl=msgq, MaxNumberOfMessages=11),
        'receiveBadAttribute': fail(sqs.receive_message, QueueUrl=msgq, AttributeNames=['Nope']),
    }

    # --- DeleteMessage / ChangeMessageVisibility ---------------------------------------------
    for m in got_none.get('Messages', []):
        sqs.change_message_visibility(QueueUrl=msgq, ReceiptHandle=m['ReceiptHandle'], VisibilityTimeout=0)
    back = sqs.receive_message(QueueUrl=msgq, MaxNumberOfMessages=10)['Messages']
    handle = back[0]['ReceiptHandle']
    sqs.change_message_visibility(QueueUrl=msgq, ReceiptHandle=handle, VisibilityTimeout=0)
    out['visibility'] = {
        'releasedCount': len(back),
        'notInflight': fail(sqs.change_message_visibility, QueueUrl=msgq, ReceiptHandle=handle, VisibilityTimeout=5),
        'garbageHandle': fail(sqs.change_message_visibility, QueueUrl=msgq, ReceiptHandle='garbage', VisibilityTimeout=5),
        'tooLong': fail(sqs.change_message_visibility, QueueUrl=msgq, ReceiptHandle=back[1]['ReceiptHandle'],
                        VisibilityTimeout=43201),
    }
    again = sqs.receive_message(QueueUrl=msgq, MaxNumberOfMessages=10)['Messages']
    for m in again:
        sqs.delete_message(QueueUrl=msgq, ReceiptHandle=m['ReceiptHandle'])
    out['deleteMessage'] = {
        'deleted': len(again),
        'counts': sqs.get_queue_attributes(QueueUrl=msgq, AttributeNames=['ApproximateNumberOfMessages',
                                                                         'ApproximateNumberOfMessagesNotVisible'])['Attributes'],
        'staleHandleOk': sqs.delete_message(QueueUrl=msgq, ReceiptHandle=again[0]['ReceiptHandle'])['ResponseMetadata']['HTTPStatusCode'],
        'garbageHandle': fail(sqs.delete_message, QueueUrl=msgq, ReceiptHandle='garbage'),
    }

    # --- Batches -----------------------------------------------------------------------------
    batchq = sqs.create_queue(QueueName='b3-batch')['QueueUrl']
    sent_batch = sqs.send_message_batch(QueueUrl=batchq, Entries=[
        {'Id': 'ok1', 'MessageBody': 'one\r\n', 'MessageAttributes': {'k': {'DataType': 'String', 'StringValue': 'v'}}},
        {'Id': 'badDelay', 'MessageBody': 'x', 'DelaySeconds': 901},
        {'Id': 'ok2', 'MessageBody': 'two'},
        {'Id': 'badChars', 'MessageBody': 'nul\x00'},
    ])
    received = sqs.receive_message(QueueUrl=batchq, MaxNumberOfMessages=10, VisibilityTimeout=60)['Messages']
    by_body = {m['Body']: m['ReceiptHandle'] for m in received}
    cmv = sqs.change_message_visibility_batch(QueueUrl=batchq, Entries=[
        {'Id': 'c1', 'ReceiptHandle': by_body['one\r\n'], 'VisibilityTimeout': 0},
        {'Id': 'c2', 'ReceiptHandle': 'garbage', 'VisibilityTimeout': 0},
    ])
    visible_after_cmv = sqs.get_queue_attributes(QueueUrl=batchq, AttributeNames=['ApproximateNumberOfMessages'])['Attributes']
    dmb = sqs.delete_message_batch(QueueUrl=batchq, Entries=[
        {'Id': 'd1', 'ReceiptHandle': by_body['two']},
        {'Id': 'd2', 'ReceiptHandle': 'garbage'},
    ])
    eleven_send = [{'Id': f'e{i}', 'MessageBody': 'b'} for i in range(11)]
    eleven_handles = [{'Id': f'e{i}', 'ReceiptHandle': 'h'} for i in range(11)]
    out['batches'] = {
        'send': plain(sent_batch),
        'receivedBodies': sorted(m['Body'] for m in received),
        'changeVisibility': plain(cmv),
        'visibleAfterChange': visible_after_cmv,
        'delete': plain(dmb),
        'sendEmpty': fail(raw.send_message_batch, QueueUrl=batchq, Entries=[]),
        'sendTooMany': fail(raw.send_message_batch, QueueUrl=batchq, Entries=eleven_send),
        'sendSameIds': fail(raw.send_message_batch, QueueUrl=batchq, Entries=[
            {'Id': 'a', 'MessageBody': '1'}, {'Id': 'a', 'MessageBody': '2'}]),
        'sendBadId': fail(raw.send_message_batch, QueueUrl=batchq, Entries=[{'Id': 'no spaces', 'MessageBody': '1'}]),
        'deleteEmpty': fail(raw.delete_message_batch, QueueUrl=batchq, Entries=[]),
        'deleteTooMany': fail(raw.delete_message_batch, QueueUrl=batchq, Entries=eleven_handles),
        'deleteSameIds': fail(raw.delete_message_batch, QueueUrl=batchq, Entries=[
            {'Id': 'a', 'ReceiptHandle': 'h'}, {'Id': 'a', 'ReceiptHandle': 'h'}]),
        'changeEmpty': fail(raw.change_message_visibility_batch, QueueUrl=batchq, Entries=[]),
        'changeTooMany': fail(raw.change_message_visibility_batch, QueueUrl=batchq,
                              Entries=[dict(e, VisibilityTimeout=1) for e in eleven_handles]),
        'changeSameIds': fail(raw.change_message_visibility_batch, QueueUrl=batchq, Entries=[
            {'Id': 'a', 'ReceiptHandle': 'h', 'VisibilityTimeout': 1},
            {'Id': 'a', 'ReceiptHandle': 'h', 'VisibilityTimeout': 1}]),
    }

    # --- PurgeQueue --------------------------------------------------------------------------
    purgeq = sqs.create_queue(QueueName='b3-purge')['QueueUrl']
    for i in range(3):
        sqs.send_message(QueueUrl=purgeq, MessageBody=f'p{i}')
    before = sqs.get_queue_attributes(QueueUrl=purgeq, AttributeNames=['ApproximateNumberOfMessages'])['Attributes']
    sqs.purge_queue(QueueUrl=purgeq)
    out['purge'] = {
        'before': before['ApproximateNumberOfMessages'],
        'after': sqs.get_queue_attributes(QueueUrl=purgeq, AttributeNames=['ApproximateNumberOfMessages'])['Attributes'][
            'ApproximateNumberOfMessages'],
        'again': fail(sqs.purge_queue, QueueUrl=purgeq),
        'missing': fail(sqs.purge_queue, QueueUrl=purgeq + '-gone'),
    }

    # --- Tags --------------------------------------------------------------------------------
    sqs.tag_queue(QueueUrl=main, Tags={'cost': 'center-1', 'owner': 'me'})
    tagged = sqs.list_queue_tags(QueueUrl=main).get('Tags')
    sqs.untag_queue(QueueUrl=main, TagKeys=['env', 'owner'])
    out['tags'] = {
        'afterTag': tagged,
        'afterUntag': sqs.list_queue_tags(QueueUrl=main).get('Tags'),
        'tooMany': fail(sqs.tag_queue, QueueUrl=main, Tags={f'k{i}': 'v' for i in range(51)}),
        'tagMissing': fail(sqs.tag_queue, QueueUrl=main + '-gone', Tags={'a': 'b'}),
        'untagMissing': fail(sqs.untag_queue, QueueUrl=main + '-gone', TagKeys=['a']),
        'listMissing': fail(sqs.list_queue_tags, QueueUrl=main + '-gone'),
    }

    # --- Add/RemovePermission ----------------------------------------------------------------
    sqs.add_permission(QueueUrl=main, Label='partner', AWSAccountIds=['111122223333', '444455556666'],
                       Actions=['SendMessage'])
    policy = sqs.get_queue_attributes(QueueUrl=main, AttributeNames=['Policy'])['Attributes']['Policy']
    dup = fail(sqs.add_permission, QueueUrl=main, Label='partner', AWSAccountIds=['111122223333'], Actions=['*'])
    sqs.remove_permission(QueueUrl=main, Label='partner')
    out['permissions'] = {
        'policy': json.loads(policy),
        'duplicateLabel': dup,
        'missingAccounts': fail(raw.add_permission, QueueUrl=main, Label='x', AWSAccountIds=[], Actions=['SendMessage']),
        'afterRemove': sqs.get_queue_attributes(QueueUrl=main, AttributeNames=['Policy']).get('Attributes'),
        'removeUnknown': fail(sqs.remove_permission, QueueUrl=main, Label='partner'),
    }

    # --- Dead-letter queue (redrive without the clock: VisibilityTimeout=0 receives) ----------
    dlq = sqs.create_queue(QueueName='b3-dlq')['QueueUrl']
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
    src = sqs.create_queue(QueueName='b3-src')['QueueUrl']
    sqs.set_queue_attributes(QueueUrl=src, Attributes={
        'RedrivePolicy': json.dumps({'deadLetterTargetArn': dlq_arn, 'maxReceiveCount': '2'})})
    sqs.send_message(QueueUrl=src, MessageBody='poison')
    counts = []
    for _ in range(3):
        r = sqs.receive_message(QueueUrl=src, AttributeNames=['ApproximateReceiveCount'], VisibilityTimeout=0)
        counts.append([m['Attributes']['ApproximateReceiveCount'] for m in r.get('Messages', [])])
    out['redrive'] = {
        'dlqArn': dlq_arn,
        'srcUrl': src,
        'policy': json.loads(sqs.get_queue_attributes(QueueUrl=src, AttributeNames=['RedrivePolicy'])['Attributes']['RedrivePolicy']),
        'receiveCounts': counts,
        'dead': plain(sqs.receive_message(QueueUrl=dlq, AttributeNames=['All']).get('Messages')),
        'sources': sqs.list_dead_letter_source_queues(QueueUrl=dlq).get('queueUrls'),
        'sourcesMissing': fail(sqs.list_dead_letter_source_queues, QueueUrl=dlq + '-gone'),
        'badPolicy': fail(sqs.set_queue_attributes, QueueUrl=src, Attributes={
            'RedrivePolicy': json.dumps({'deadLetterTargetArn': dlq_arn})}),
    }

    # --- FIFO --------------------------------------------------------------------------------
    fifo = sqs.create_queue(QueueName='b3-order.fifo',
                            Attributes={'FifoQueue': 'true', 'ContentBasedDeduplication': 'true'})['QueueUrl']
    fifo_sent = []
    for body, group in [('a1', 'A'), ('a2', 'A'), ('b1', 'B'), ('a3', 'A')]:
        fifo_sent.append(plain(sqs.send_message(QueueUrl=fifo, MessageBody=body, MessageGroupId=group)))
    dup = plain(sqs.send_message(QueueUrl=fifo, MessageBody='a1', MessageGroupId='A'))
    first = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1, AttributeNames=['All'])['Messages']
    blocked = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10).get('Messages', [])
    empty = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10).get('Messages', [])
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=first[0]['ReceiptHandle'])
    rest = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10).get('Messages', [])
    out['fifo'] = {
        'sent': fifo_sent,
        'duplicate': dup,
        'first': plain(first),
        'whileBlocked': [m['Body'] for m in blocked],
        'empty': [m['Body'] for m in empty],
        'afterDelete': [m['Body'] for m in rest],
        'noGroup': fail(sqs.send_message, QueueUrl=fifo, MessageBody='x'),
        'batch': plain(sqs.send_message_batch(QueueUrl=fifo, Entries=[
            {'Id': 'c1', 'MessageBody': 'c1', 'MessageGroupId': 'C'},
            {'Id': 'dup', 'MessageBody': 'a2', 'MessageGroupId': 'A'},
            {'Id': 'badDelay', 'MessageBody': 'c2', 'MessageGroupId': 'C', 'DelaySeconds': 5},
        ])),
        # A FIFO batch with an entry lacking MessageGroupId fails as a whole.
        'batchNoGroup': fail(sqs.send_message_batch, QueueUrl=fifo, Entries=[
            {'Id': 'g', 'MessageBody': 'c3', 'MessageGroupId': 'C'},
            {'Id': 'nog', 'MessageBody': 'c4'},
        ]),
    }

    out['wire'] = WIRE
    return out


def scenario_timed_1():
    """Clock-based checks, first half. The test advances the clock between the two halves."""
    q = sqs.create_queue(QueueName='b3-timed', Attributes={'VisibilityTimeout': '30'})['QueueUrl']
    sqs.send_message(QueueUrl=q, MessageBody='timed')
    sqs.send_message(QueueUrl=q, MessageBody='delayed', DelaySeconds=45)
    first = sqs.receive_message(QueueUrl=q, AttributeNames=['ApproximateReceiveCount'], MaxNumberOfMessages=10)['Messages']
    hidden = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10).get('Messages', [])
    fifo = sqs.create_queue(QueueName='b3-window.fifo', Attributes={'FifoQueue': 'true'})['QueueUrl']
    d1 = sqs.send_message(QueueUrl=fifo, MessageBody='one', MessageGroupId='g', MessageDeduplicationId='same')
    d2 = sqs.send_message(QueueUrl=fifo, MessageBody='two', MessageGroupId='g', MessageDeduplicationId='same')
    purge = sqs.create_queue(QueueName='b3-purge-timed')['QueueUrl']
    sqs.purge_queue(QueueUrl=purge)
    gone = sqs.create_queue(QueueName='b3-recreate')['QueueUrl']
    sqs.delete_queue(QueueUrl=gone)
    return {
        'queue': q,
        'fifo': fifo,
        'purgeQueue': purge,
        'first': plain(first),
        'hidden': plain(hidden),
        'counts': sqs.get_queue_attributes(QueueUrl=q, AttributeNames=['All'])['Attributes'],
        'dedup': [d1['MessageId'], d2['MessageId']],
        'purgeAgain': fail(sqs.purge_queue, QueueUrl=purge),
        'recreate': fail(sqs.create_queue, QueueName='b3-recreate'),
        'wire': WIRE,
    }


def scenario_timed_2():
    q, fifo, purge = STATE['queue'], STATE['fifo'], STATE['purgeQueue']
    again = sqs.receive_message(QueueUrl=q, AttributeNames=['ApproximateReceiveCount'], MaxNumberOfMessages=10)
    d3 = sqs.send_message(QueueUrl=fifo, MessageBody='three', MessageGroupId='g', MessageDeduplicationId='same')
    fifo_bodies = [m['Body'] for m in sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)['Messages']]
    sqs.purge_queue(QueueUrl=purge)
    recreated = sqs.create_queue(QueueName='b3-recreate')['QueueUrl']
    return {
        'again': plain(again.get('Messages')),
        'dedupAfterWindow': d3['MessageId'],
        'fifoBodies': fifo_bodies,
        'purgeOk': True,
        'recreated': recreated,
        'wire': WIRE,
    }


SCENARIOS = {'ops': scenario_ops, 'timed-1': scenario_timed_1, 'timed-2': scenario_timed_2}

if __name__ == '__main__':
    result = SCENARIOS[SCENARIO]()
    json.dump(result, sys.stdout, ensure_ascii=False, default=lambda o: o.decode() if isinstance(o, bytes) else str(o))
    sys.stdout.write('\n')
