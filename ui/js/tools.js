// The pattern tester and the idempotency report.
import { ApiError, get, post } from './api.js';
import { errorBox, fill, h, table, traceLink } from './dom.js';
import { renderExplanation } from './explain.js';

const SAMPLE_EVENT = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'Order Placed',
  source: 'shop',
  account: '000000000000',
  time: '2026-11-27T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { price: 12, currency: 'EUR' },
};
const SAMPLE_PATTERN = { source: ['shop'], detail: { price: [{ numeric: ['>', 100] }] } };

export function createTester() {
  const eventText = h('textarea', { name: 'event', rows: 18, spellcheck: 'false', 'aria-label': 'event', value: JSON.stringify(SAMPLE_EVENT, null, 2) });
  const patternText = h('textarea', { name: 'pattern', rows: 18, spellcheck: 'false', 'aria-label': 'pattern', value: JSON.stringify(SAMPLE_PATTERN, null, 2) });
  const out = h('div', { class: 'tester-out', 'aria-live': 'polite' });

  async function run(e) {
    e?.preventDefault();
    fill(out, h('p', { class: 'muted' }, 'testing…'));
    try {
      const res = await post('/explain', { event: eventText.value, pattern: patternText.value });
      fill(out, renderExplanation(res.explanation));
    } catch (err) {
      const body = err instanceof ApiError && err.body && typeof err.body === 'object' ? err.body : undefined;
      fill(out, body ? h('div', { class: 'error', role: 'alert' }, h('strong', null, body.error ?? 'Error'), ': ', body.message ?? '') : errorBox(err));
    }
  }

  const el = h(
    'div',
    { class: 'tester' },
    h('div', { class: 'toolbar' }, h('h2', null, 'Pattern tester')),
    h('p', { class: 'muted' }, 'Paste an event and an EventBridge event pattern: the verdict is the matcher’s own, explained field by field.'),
    h(
      'form',
      { class: 'tester-form', onsubmit: run },
      h('label', { class: 'field' }, h('span', null, 'event'), eventText),
      h('label', { class: 'field' }, h('span', null, 'pattern'), patternText),
      h('div', null, h('button', { type: 'submit', class: 'primary' }, 'Test')),
    ),
    out,
  );
  return {
    el,
    load() {},
    prefill(event, pattern) {
      if (event !== undefined) eventText.value = JSON.stringify(event, null, 2);
      if (pattern !== undefined) patternText.value = pattern;
      fill(out);
    },
  };
}

export function createIdempotency() {
  const el = h('div', { class: 'idempotency' });
  async function load() {
    fill(el, h('div', { class: 'toolbar' }, h('h2', null, 'Idempotency'), h('button', { type: 'button', class: 'refresh', onclick: load }, 'refresh')));
    try {
      const r = await get('/idempotency');
      el.append(
        h('p', { class: 'muted' }, 'Key read from the JSON path ', h('code', null, r.path), ' (events, and JSON message bodies), else the message attribute ', h('code', null, r.attribute), '.'),
        h(
          'section',
          { class: 'card' },
          h('h3', null, `Repeated keys (${r.repeatedKeys.length})`),
          r.repeatedKeys.length
            ? table(
                ['key', 'records'],
                r.repeatedKeys.map((k) => h('tr', null, h('td', { class: 'mono' }, k.key), h('td', null, k.ids.map((id) => [traceLink(id), ' '])))),
              )
            : h('p', { class: 'muted' }, 'No key appears on more than one record.'),
        ),
        h(
          'section',
          { class: 'card' },
          h('h3', null, `Duplicate deliveries (${r.duplicateDeliveries.length})`),
          r.duplicateDeliveries.length
            ? table(
                ['target', 'key', 'times', 'records'],
                r.duplicateDeliveries.map((d) =>
                  h('tr', null, h('td', { class: 'mono' }, d.targetArn), h('td', { class: 'mono' }, d.key), h('td', { class: 'num' }, d.count), h('td', null, d.ids.map((id) => [traceLink(id), ' ']))),
                ),
              )
            : h('p', { class: 'muted' }, 'No target received the same key twice.'),
        ),
      );
    } catch (err) {
      el.append(errorBox(err));
    }
  }
  return { el, load };
}
