// Put an event, send a message, publish to a topic: the AWS APIs, called from the page.
import { awsJson, get, snsQuery } from './api.js';
import { fill, h, prettyText, traceLink } from './dom.js';

function field(label, control) {
  return h('label', { class: 'field' }, h('span', null, label), control);
}

function input(name, props = {}) {
  return h('input', { name, autocomplete: 'off', spellcheck: 'false', ...props });
}

function textarea(name, value, rows = 6) {
  return h('textarea', { name, rows, spellcheck: 'false', value });
}

/** {"name": "value"} as message attributes; throws a readable error. */
function parseAttributes(text) {
  if (!text.trim()) return [];
  let obj;
  try {
    obj = JSON.parse(text);
  } catch {
    throw new Error('Message attributes: not JSON. Write {"name": "value", ...}.');
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('Message attributes: write a JSON object {"name": "value", ...}.');
  return Object.entries(obj).map(([k, v]) => [k, typeof v === 'number' ? { DataType: 'Number', StringValue: String(v) } : { DataType: 'String', StringValue: String(v) }]);
}

function result(out, ok, status, body, id) {
  fill(
    out,
    h('p', { class: ok ? 'ok' : 'error' }, ok ? `${status} OK` : `${status} error`, id ? [' — ', traceLink(id, 'open its trace')] : null),
    h('pre', { class: 'json' }, typeof body === 'string' ? prettyText(body) : JSON.stringify(body, null, 2)),
  );
}

function failure(out, err) {
  fill(out, h('p', { class: 'error' }, err.message));
}

export function createSend() {
  const busSel = h('select', { name: 'bus' });
  const queueSel = h('select', { name: 'queue' });
  const topicSel = h('select', { name: 'topic' });

  // EventBridge
  const evOut = h('div', { class: 'out', 'data-out': 'event' });
  const source = input('source', { value: 'my.app' });
  const detailType = input('detailType', { value: 'Order Placed' });
  const detail = textarea('detail', '{\n  "orderId": "o-1",\n  "price": 42,\n  "metadata": { "idempotency-key": "k-1" }\n}', 8);
  const resources = input('resources', { placeholder: 'ARNs, comma-separated (optional)' });
  const eventForm = h(
    'form',
    {
      class: 'card send-form',
      'data-form': 'event',
      onsubmit: async (e) => {
        e.preventDefault();
        const entry = { EventBusName: busSel.value || 'default', Source: source.value, DetailType: detailType.value, Detail: detail.value };
        const res = resources.value.split(',').map((s) => s.trim()).filter(Boolean);
        if (res.length) entry.Resources = res;
        try {
          const r = await awsJson('events', 'PutEvents', { Entries: [entry] });
          result(evOut, r.ok && !r.body?.FailedEntryCount, r.status, r.body, r.body?.Entries?.[0]?.EventId);
        } catch (err) {
          failure(evOut, err);
        }
      },
    },
    h('h3', null, 'Put an event (EventBridge PutEvents)'),
    field('bus', busSel),
    field('source', source),
    field('detail-type', detailType),
    field('detail (JSON)', detail),
    field('resources', resources),
    h('button', { type: 'submit', class: 'primary' }, 'Put event'),
    evOut,
  );

  // SQS
  const sqsOut = h('div', { class: 'out', 'data-out': 'sqs' });
  const body = textarea('body', '{"hello": "queue"}', 5);
  const delay = input('delay', { type: 'number', min: '0', max: '900', placeholder: '0' });
  const group = input('group', { placeholder: 'FIFO only' });
  const dedup = input('dedup', { placeholder: 'FIFO only, optional' });
  const sqsAttrs = textarea('attributes', '', 2);
  sqsAttrs.placeholder = '{"idempotency-key": "k-1"}';
  const sqsForm = h(
    'form',
    {
      class: 'card send-form',
      'data-form': 'sqs',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const input = { QueueUrl: queueSel.value, MessageBody: body.value };
          if (delay.value) input.DelaySeconds = Number(delay.value);
          if (group.value) input.MessageGroupId = group.value;
          if (dedup.value) input.MessageDeduplicationId = dedup.value;
          const attrs = parseAttributes(sqsAttrs.value);
          if (attrs.length) input.MessageAttributes = Object.fromEntries(attrs);
          const r = await awsJson('sqs', 'SendMessage', input);
          result(sqsOut, r.ok, r.status, r.body, r.body?.MessageId);
        } catch (err) {
          failure(sqsOut, err);
        }
      },
    },
    h('h3', null, 'Send a message (SQS SendMessage)'),
    field('queue', queueSel),
    field('body', body),
    field('delay seconds', delay),
    field('message group id', group),
    field('deduplication id', dedup),
    field('message attributes (JSON)', sqsAttrs),
    h('button', { type: 'submit', class: 'primary' }, 'Send message'),
    sqsOut,
  );

  // SNS
  const snsOut = h('div', { class: 'out', 'data-out': 'sns' });
  const message = textarea('message', '{"hello": "topic"}', 5);
  const subject = input('subject', { placeholder: 'optional' });
  const snsGroup = input('group', { placeholder: 'FIFO only' });
  const snsDedup = input('dedup', { placeholder: 'FIFO only, optional' });
  const snsAttrs = textarea('attributes', '', 2);
  snsAttrs.placeholder = '{"eventType": "order"}';
  const snsForm = h(
    'form',
    {
      class: 'card send-form',
      'data-form': 'sns',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const params = { Action: 'Publish', TopicArn: topicSel.value, Message: message.value };
          if (subject.value) params.Subject = subject.value;
          if (snsGroup.value) params.MessageGroupId = snsGroup.value;
          if (snsDedup.value) params.MessageDeduplicationId = snsDedup.value;
          parseAttributes(snsAttrs.value).forEach(([name, v], i) => {
            params[`MessageAttributes.entry.${i + 1}.Name`] = name;
            params[`MessageAttributes.entry.${i + 1}.Value.DataType`] = v.DataType;
            params[`MessageAttributes.entry.${i + 1}.Value.StringValue`] = v.StringValue;
          });
          const r = await snsQuery(params);
          const id = r.ok ? new DOMParser().parseFromString(r.body, 'application/xml').querySelector('MessageId')?.textContent : undefined;
          result(snsOut, r.ok, r.status, r.body, id);
        } catch (err) {
          failure(snsOut, err);
        }
      },
    },
    h('h3', null, 'Publish to a topic (SNS Publish)'),
    field('topic', topicSel),
    field('message', message),
    field('subject', subject),
    field('message group id', snsGroup),
    field('deduplication id', snsDedup),
    field('message attributes (JSON)', snsAttrs),
    h('button', { type: 'submit', class: 'primary' }, 'Publish'),
    snsOut,
  );

  const el = h('div', { class: 'send' }, h('div', { class: 'toolbar' }, h('h2', null, 'Send')), h('div', { class: 'send-grid' }, eventForm, sqsForm, snsForm));

  function options(select, items, empty) {
    const keep = select.value;
    fill(select, items.length ? items.map(([value, label]) => h('option', { value }, label)) : h('option', { value: '' }, empty));
    if (items.some(([v]) => v === keep)) select.value = keep;
  }

  async function load() {
    const [buses, queues, topics] = await Promise.all([get('/buses').catch(() => ({ buses: [] })), get('/queues').catch(() => ({ queues: [] })), get('/topics').catch(() => ({ topics: [] }))]);
    const busItems = buses.buses.map((b) => [b.arn, b.name]);
    if (!busItems.length) busItems.push(['default', 'default']);
    options(busSel, busItems, 'default');
    options(queueSel, queues.queues.map((q) => [q.url, q.name]), '(no queue: create one first)');
    options(topicSel, topics.topics.map((t) => [t.arn, t.name]), '(no topic: create one first)');
  }

  return { el, load };
}


