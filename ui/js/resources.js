// Buses with their rules, queues with their messages (peeked: nothing about them changes),
// topics with their subscriptions and recent deliveries.
import { del, enc, get, post, query } from './api.js';
import { badge, errorBox, facts, fill, h, isoTime, pre, shortName, table } from './dom.js';
import { summaryRow } from './stream.js';

function refreshButton(fn) {
  return h('button', { type: 'button', class: 'refresh', onclick: fn }, 'refresh');
}

function toolbar(title, fn) {
  return h('div', { class: 'toolbar' }, h('h2', null, title), refreshButton(fn));
}

// ---------------------------------------------------------------- buses

export function createBuses() {
  const el = h('div', { class: 'resources buses' });
  async function load() {
    fill(el, toolbar('Event buses', load));
    try {
      const { buses } = await get('/buses');
      if (!buses.length) el.append(h('p', { class: 'muted' }, 'No bus yet (the default bus appears with the first EventBridge call).'));
      for (const bus of buses) {
        el.append(
          h(
            'section',
            { class: 'card', 'data-bus': bus.name },
            h('h3', null, bus.name, ' ', h('span', { class: 'muted mono' }, bus.arn)),
            bus.policy ? h('details', null, h('summary', null, 'resource policy'), pre(bus.policy)) : null,
            bus.rules.length
              ? bus.rules.map((rule) =>
                  h(
                    'div',
                    { class: 'rule', 'data-rule': rule.name },
                    h('h4', null, h('span', { class: 'mono' }, rule.name), ' ', badge(rule.state, rule.state === 'ENABLED' ? 'st-delivered' : 'muted')),
                    rule.description ? h('p', { class: 'muted' }, rule.description) : null,
                    facts([
                      ['ARN', h('span', { class: 'mono' }, rule.arn)],
                      ['schedule', rule.scheduleExpression],
                    ]),
                    rule.eventPattern !== undefined ? [h('div', { class: 'label' }, 'event pattern'), h('pre', { class: 'json pattern' }, rule.eventPattern)] : null,
                    h('div', { class: 'label' }, `targets (${rule.targets.length})`),
                    rule.targets.length
                      ? table(
                          ['id', 'ARN', 'input', 'DLQ', 'retry policy'],
                          rule.targets.map((t) =>
                            h(
                              'tr',
                              null,
                              h('td', { class: 'mono' }, t.id),
                              h('td', { class: 'mono' }, t.arn),
                              h(
                                'td',
                                null,
                                t.input !== undefined ? ['Input: ', h('code', null, t.input)] : null,
                                t.inputPath !== undefined ? ['InputPath: ', h('code', null, t.inputPath)] : null,
                                t.inputTransformer ? pre(t.inputTransformer) : null,
                                t.input === undefined && t.inputPath === undefined && !t.inputTransformer ? h('span', { class: 'muted' }, 'the event') : null,
                              ),
                              h('td', { class: 'mono' }, t.deadLetterArn ?? ''),
                              h('td', null, t.retryPolicy ? JSON.stringify(t.retryPolicy) : ''),
                            ),
                          ),
                        )
                      : h('p', { class: 'muted' }, 'no target'),
                  ),
                )
              : h('p', { class: 'muted' }, 'no rule'),
          ),
        );
      }
    } catch (err) {
      el.append(errorBox(err));
    }
  }
  return { el, load };
}

// ---------------------------------------------------------------- queues

function messageCard(m, queue, reload, setNote) {
  const attrs = Object.entries(m.messageAttributes ?? {});
  return h(
    'div',
    { class: 'message', 'data-message-id': m.messageId },
    h(
      'div',
      { class: 'message-head' },
      h('span', { class: 'mono' }, m.messageId),
      ' ',
      badge(`received ${m.receiveCount}×`, m.receiveCount ? 'warn' : 'muted'),
      h('span', { class: 'spacer' }),
      h(
        'button',
        {
          type: 'button',
          class: 'danger delete',
          onclick: async (e) => {
            e.currentTarget.disabled = true;
            try {
              await del(`/queues/${enc(queue.arn)}/messages/${enc(m.messageId)}`);
              setNote(`Deleted ${m.messageId}.`);
            } catch (err) {
              setNote(err.message, true);
            }
            reload();
          },
        },
        'Delete',
      ),
    ),
    facts([
      ['sent', isoTime(m.sentAt)],
      ['visible at', m.visibleAt ? isoTime(m.visibleAt) : undefined],
      ['group', m.groupId],
      ['deduplication id', m.dedupId],
      ['sequence number', m.sequenceNumber],
      ['from (DLQ source)', m.deadLetterSourceArn ? h('span', { class: 'mono' }, m.deadLetterSourceArn) : undefined],
    ]),
    pre(m.body, 'body'),
    attrs.length
      ? table(
          ['message attribute', 'type', 'value'],
          attrs.map(([k, v]) => h('tr', null, h('td', { class: 'mono' }, k), h('td', null, v.DataType), h('td', { class: 'mono' }, v.StringValue ?? v.BinaryValue ?? ''))),
        )
      : null,
    h('details', null, h('summary', null, 'system attributes'), facts(Object.entries(m.attributes ?? {}))),
  );
}

export function createQueues({ navigate }) {
  const el = h('div', { class: 'resources queues' });
  const listEl = h('div');
  const detailEl = h('div', { class: 'queue-detail' });
  el.append(toolbar('Queues', () => load()), listEl, detailEl);
  let selected;

  async function load(arn = selected) {
    selected = arn;
    try {
      const { queues } = await get('/queues');
      fill(
        listEl,
        queues.length
          ? table(
              ['queue', 'visible', 'in flight', 'delayed', 'type', 'dead-letter'],
              queues.map((q) =>
                h(
                  'tr',
                  { class: `row${q.arn === selected ? ' selected' : ''}`, 'data-queue': q.name, tabindex: '0', onclick: () => navigate(`#queues/${enc(q.arn)}`) },
                  h('td', null, h('strong', null, q.name), h('div', { class: 'muted mono small' }, q.arn)),
                  h('td', { class: 'num' }, q.counts.visible),
                  h('td', { class: 'num' }, q.counts.inFlight),
                  h('td', { class: 'num' }, q.counts.delayed),
                  h('td', null, q.fifo ? 'FIFO' : 'standard'),
                  h(
                    'td',
                    null,
                    q.isDeadLetterQueue ? [badge('DLQ', 'warn'), ' of ', q.sourceQueueArns.map(shortName).join(', ')] : null,
                    q.deadLetterTargetArn ? [`→ ${shortName(q.deadLetterTargetArn)} after ${q.maxReceiveCount} receives`] : null,
                  ),
                ),
              ),
              'queue-list',
            )
          : h('p', { class: 'muted' }, 'No queue yet.'),
      );
      const queue = queues.find((q) => q.arn === selected);
      if (queue) await showQueue(queue);
      else fill(detailEl, selected ? errorBox(`No queue ${selected}.`) : h('p', { class: 'muted' }, 'Pick a queue to peek at its messages (peeking changes nothing: no receive, no visibility change).'));
    } catch (err) {
      fill(listEl, errorBox(err));
    }
  }

  async function showQueue(queue) {
    const note = h('p', { class: 'note', role: 'status' });
    const setNote = (text, bad) => {
      note.textContent = text;
      note.classList.toggle('error', !!bad);
    };
    const reload = () => load();
    let msgs;
    try {
      msgs = await get(`/queues/${enc(queue.arn)}/messages${query({ limit: 100 })}`);
    } catch (err) {
      fill(detailEl, errorBox(err));
      return;
    }
    const keep = detailEl.querySelector('.note')?.textContent;
    if (keep) note.textContent = keep;
    const groups = [
      ['visible', 'Visible', msgs.visible],
      ['inFlight', 'In flight', msgs.inFlight],
      ['delayed', 'Delayed', msgs.delayed],
    ];
    fill(
      detailEl,
      h(
        'section',
        { class: 'card', 'data-queue-detail': queue.name },
        h(
          'div',
          { class: 'toolbar' },
          h('h3', null, queue.name),
          queue.isDeadLetterQueue
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'primary redrive',
                  onclick: async (e) => {
                    e.currentTarget.disabled = true;
                    try {
                      const { moved } = await post(`/queues/${enc(queue.arn)}/redrive`, {});
                      setNote(`Redrove ${moved} message${moved === 1 ? '' : 's'} to ${queue.sourceQueueArns.map(shortName).join(', ')}.`);
                    } catch (err) {
                      setNote(err.message, true);
                    }
                    reload();
                  },
                },
                'Redrive',
              )
            : null,
        ),
        note,
        facts([
          ['URL', h('span', { class: 'mono' }, queue.url)],
          ['ARN', h('span', { class: 'mono' }, queue.arn)],
          ['redrive policy', queue.deadLetterTargetArn ? `→ ${queue.deadLetterTargetArn} after ${queue.maxReceiveCount} receives` : undefined],
        ]),
        h('details', null, h('summary', null, 'queue attributes'), facts(Object.entries(queue.attributes ?? {}))),
        groups.map(([key, title, list]) =>
          h(
            'div',
            { class: 'message-group', 'data-group': key },
            h('h4', null, `${title} (${list.length})`),
            list.length ? list.map((m) => messageCard(m, queue, reload, setNote)) : h('p', { class: 'muted' }, 'none'),
          ),
        ),
      ),
    );
  }

  return { el, load };
}

// ---------------------------------------------------------------- topics

export function createTopics() {
  const el = h('div', { class: 'resources topics' });
  async function load() {
    fill(el, toolbar('Topics', load));
    try {
      const { topics } = await get('/topics');
      if (!topics.length) el.append(h('p', { class: 'muted' }, 'No topic yet.'));
      for (const topic of topics) {
        const recent = h('tbody');
        el.append(
          h(
            'section',
            { class: 'card', 'data-topic': topic.name },
            h('h3', null, topic.name, ' ', topic.fifo ? badge('FIFO', 'muted') : null, ' ', h('span', { class: 'muted mono' }, topic.arn)),
            h('div', { class: 'label' }, `subscriptions (${topic.subscriptions.length})`),
            topic.subscriptions.length
              ? table(
                  ['protocol', 'endpoint', 'filter policy', 'options'],
                  topic.subscriptions.map((s) =>
                    h(
                      'tr',
                      null,
                      h('td', null, s.protocol),
                      h('td', { class: 'mono' }, s.endpoint, h('div', { class: 'muted small' }, s.arn)),
                      h('td', null, s.filterPolicy ? [h('pre', { class: 'json pattern' }, s.filterPolicy), h('div', { class: 'muted small' }, `scope: ${s.filterPolicyScope ?? 'MessageAttributes'}`)] : h('span', { class: 'muted' }, 'none')),
                      h(
                        'td',
                        null,
                        s.pendingConfirmation ? badge('pending confirmation', 'warn') : null,
                        s.rawMessageDelivery ? badge('raw', 'muted') : null,
                        s.deadLetterArn ? h('div', { class: 'mono small' }, `DLQ ${s.deadLetterArn}`) : null,
                      ),
                    ),
                  ),
                )
              : h('p', { class: 'muted' }, 'no subscription'),
            h('div', { class: 'label' }, 'recent publishes'),
            h('table', { class: 'records' }, h('thead', null, h('tr', null, ['time', 'kind', 'topic', 'subject', 'routing', ''].map((x) => h('th', null, x)))), recent),
          ),
        );
        get(`/events${query({ kind: 'publish', topic: topic.arn, limit: 10 })}`).then(
          (page) => {
            const rows = page.events.map((s) => summaryRow(s));
            for (const tr of rows) tr.addEventListener('click', () => (location.hash = `#stream/${enc(tr.dataset.id)}`));
            fill(recent, rows.length ? rows : h('tr', null, h('td', { class: 'muted' }, 'none in the trace')));
          },
          (err) => fill(recent, h('tr', null, h('td', null, errorBox(err)))),
        );
      }
    } catch (err) {
      el.append(errorBox(err));
    }
  }
  return { el, load };
}

