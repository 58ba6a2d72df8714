// One record's whole path: the envelope or message, the rules it matched (the subscriptions it
// passed or was filtered out of), per target the input and every attempt, the DLQ hop, its
// idempotency key; and for events, why each rule of the bus did or did not match.
import { enc, get } from './api.js';
import { badge, clockTime, facts, fill, h, isoTime, pre, section, shortName, stateBadge, table, traceLink, errorBox } from './dom.js';
import { renderExplanation } from './explain.js';
import { injectedBadge, injectedOf } from './faults.js';

const PENDING = new Set(['pending', 'retrying']);
const MAX_RULES_SHOWN = 100;

function attemptsTable(attempts) {
  if (!attempts.length) return h('p', { class: 'muted' }, 'No attempt yet.');
  return table(
    ['#', 'at', 'ok', 'status', 'code', 'message'],
    attempts.map((a, i) =>
      h(
        'tr',
        { class: `${a.ok ? 'ok' : 'fail'}${a.injected ? ' injected' : ''}` },
        h('td', { class: 'nowrap' }, i === 0 ? '1' : `retry ${i}`),
        h('td', { class: 'mono nowrap', title: isoTime(a.at) }, clockTime(a.at)),
        h('td', null, a.ok ? (a.captured ? 'captured' : '✓') : '✗'),
        h('td', null, a.status ?? ''),
        h('td', { class: 'mono nowrap' }, a.code ?? ''),
        h('td', null, a.injected ? [injectedBadge(a.injected), ' '] : null, a.message ?? '', a.detail ? h('div', { class: 'muted' }, a.detail) : null),
      ),
    ),
    'attempts',
  );
}

function deliveryCard(d, kind) {
  const title = kind === 'event' ? [h('span', { class: 'mono' }, d.ruleName), ' → target ', h('span', { class: 'mono' }, d.targetId)] : [d.protocol, ' subscription'];
  return h(
    'div',
    { class: `delivery st-${d.state}`, 'data-target': d.targetArn },
    h('h4', null, title, ' ', stateBadge(d.state), [d.injected, ...(Array.isArray(d.alsoInjected) ? d.alsoInjected : [])].map((m) => (m ? [' ', injectedBadge(m)] : null))),
    facts([
      ['target', h('span', { class: 'mono' }, d.targetArn)],
      kind === 'event' ? ['rule', h('span', { class: 'mono' }, d.ruleArn)] : ['subscription', h('span', { class: 'mono' }, d.subscriptionArn)],
      ['DLQ hop', d.deadLetterArn ? h('span', { class: 'mono dlq' }, `→ ${d.deadLetterArn}`) : undefined],
      ['gave up', d.exhausted],
      ['retries', d.attempts.length > 1 ? String(d.attempts.length - 1) : undefined],
    ]),
    h('div', { class: 'label' }, 'input the target received'),
    pre(d.input, 'input'),
    h('div', { class: 'label' }, 'attempts'),
    attemptsTable(d.attempts),
  );
}

/** Every fault that fired on the record, for its head: the send's own mark explained. */
function injectedFacts(r) {
  const marks = injectedOf(r);
  if (!marks) return undefined;
  return h(
    'span',
    { class: 'injected-marks' },
    marks.map((m) => [injectedBadge(m), ' ']),
    r.kind === 'send' && r.injected?.kind === 'duplicate'
      ? h('div', { class: 'muted' }, `A fault makes this message come back after its DeleteMessage: received ${r.injected.copies ?? 2} times in all, the same MessageId each time.`)
      : null,
    h('div', { class: 'muted' }, 'Faults set in the ', h('a', { href: '#faults' }, 'Faults'), ' view, on purpose: not something AWS did.'),
  );
}

function messageAttributes(attrs) {
  const entries = Object.entries(attrs ?? {});
  if (!entries.length) return null;
  return table(
    ['attribute', 'type', 'value'],
    entries.map(([k, v]) => h('tr', null, h('td', { class: 'mono' }, k), h('td', null, v.DataType), h('td', { class: 'mono' }, v.StringValue ?? v.BinaryValue ?? ''))),
  );
}

export function createTrace({ onClose, onTest, onRecord }) {
  const el = h('div', { class: 'trace', hidden: true, 'aria-live': 'polite' });
  let current; // {id, json, record}
  let pollTimer;
  let activityTimer;
  let generation = 0;

  const body = h('div', { class: 'trace-body' });
  const why = h('div', { class: 'why' });
  el.append(body, why);

  function pending(record) {
    return (record.deliveries ?? []).some((d) => PENDING.has(d.state));
  }

  function render(r) {
    const resource = r.kind === 'event' ? ['bus', r.busArn] : r.kind === 'publish' ? ['topic', r.topicArn] : ['queue', r.queueArn];
    const header = h(
      'header',
      { class: 'trace-head' },
      h('h2', null, badge(r.kind, `k-${r.kind}`), ' ', h('span', { class: 'mono' }, r.id)),
      h('button', { type: 'button', class: 'close', 'aria-label': 'close', onclick: onClose }, '×'),
    );
    const key = r.idempotencyKey
      ? [
          h('span', { class: 'mono' }, r.idempotencyKey),
          r.sameKey?.length ? [' ', badge(`repeats: ${r.sameKey.length} other record${r.sameKey.length === 1 ? '' : 's'}`, 'warn'), ' ', r.sameKey.slice(0, 10).map((id) => [traceLink(id), ' '])] : ' (unique)',
        ]
      : undefined;
    const head = facts([
      ['at', isoTime(r.at)],
      ['via', r.via],
      [resource[0], h('span', { class: 'mono' }, resource[1])],
      ['account / region', `${r.account} / ${r.region}`],
      ['idempotency key', key],
      ['archived in', r.archivedIn?.length ? r.archivedIn.join(', ') : undefined],
      ['duplicate', r.duplicate ? 'yes: a FIFO send inside the deduplication window, not queued again' : undefined],
      ['injected', injectedFacts(r)],
    ]);
    const parts = [header, head];
    if (r.kind === 'event') {
      parts.push(
        section('Event', pre(r.event, 'envelope'), h('button', { type: 'button', onclick: () => onTest(r.event) }, 'Try it in the pattern tester')),
        section(
          `Matched rules (${r.matchedRules.length})`,
          r.matchedRules.length ? h('ul', { class: 'rules' }, r.matchedRules.map((arn) => h('li', { class: 'mono' }, arn))) : h('p', { class: 'muted' }, 'No rule of the bus matched this event.'),
        ),
      );
    } else {
      const m = r.message;
      parts.push(
        section(
          'Message',
          facts([
            ['subject', m.subject],
            ['group', m.groupId],
            ['deduplication id', m.dedupId],
            ['sequence number', m.sequenceNumber],
          ]),
          pre(m.body, 'body'),
          messageAttributes(m.attributes),
        ),
      );
      if (r.kind === 'publish' && r.filteredOut?.length)
        parts.push(section(`Filtered out (${r.filteredOut.length})`, h('p', { class: 'muted' }, 'Subscriptions whose filter policy the message did not pass:'), h('ul', null, r.filteredOut.map((arn) => h('li', { class: 'mono' }, arn)))));
    }
    if (r.kind !== 'send')
      parts.push(
        section(
          `Deliveries (${r.deliveries.length})`,
          r.deliveries.length ? r.deliveries.map((d) => deliveryCard(d, r.kind)) : h('p', { class: 'muted' }, 'Nothing was delivered.'),
        ),
      );
    fill(body, parts);
  }

  async function renderWhy(r, gen) {
    fill(why);
    if (r.kind !== 'event') return;
    let buses;
    try {
      buses = (await get('/buses')).buses;
    } catch (err) {
      if (gen === generation) fill(why, section("Why didn't it match?", errorBox(err)));
      return;
    }
    if (gen !== generation) return;
    const bus = buses.find((b) => b.arn === r.busArn);
    const rules = (bus?.rules ?? []).filter((rule) => rule.eventPattern !== undefined);
    const list = h('ul', { class: 'why-rules' });
    const filter = h('input', { type: 'search', placeholder: 'rule name', 'aria-label': 'rule name' });
    const show = () => {
      const f = filter.value.trim();
      const chosen = rules.filter((rule) => !f || rule.name.includes(f));
      fill(
        list,
        chosen.slice(0, MAX_RULES_SHOWN).map((rule) => {
          const matched = r.matchedRules.includes(rule.arn);
          const out = h('div', { class: 'explain-out' });
          const button = h(
            'button',
            {
              type: 'button',
              onclick: async () => {
                if (out.childElementCount) return void fill(out);
                try {
                  const res = await get(`/events/${enc(r.id)}/explain${`?rule=${enc(rule.arn)}`}`);
                  fill(out, renderExplanation(res.explanation));
                } catch (err) {
                  fill(out, errorBox(err));
                }
              },
            },
            matched ? 'why it matched' : "why didn't it match?",
          );
          return h(
            'li',
            { 'data-rule': rule.name },
            h('div', { class: 'rule-line' }, badge(matched ? 'matched' : 'no match', matched ? 'st-delivered' : 'st-dropped'), ' ', h('span', { class: 'mono' }, rule.name), rule.state !== 'ENABLED' ? badge(rule.state, 'muted') : null, ' ', button),
            out,
          );
        }),
        chosen.length > MAX_RULES_SHOWN ? h('li', { class: 'muted' }, `… and ${chosen.length - MAX_RULES_SHOWN} more: narrow by name`) : null,
      );
    };
    filter.addEventListener('input', show);
    show();
    fill(
      why,
      section(
        `Why didn't it match? — rules of ${shortName(r.busArn)} (${rules.length})`,
        rules.length > 10 ? filter : null,
        rules.length ? list : h('p', { class: 'muted' }, 'This bus has no rule with an event pattern.'),
      ),
    );
  }

  async function refresh(gen) {
    if (!current || gen !== generation) return;
    clearTimeout(pollTimer);
    try {
      const record = await get(`/events/${enc(current.id)}`);
      if (gen !== generation) return;
      const json = JSON.stringify(record);
      if (json !== current.json) {
        const first = current.json === undefined;
        current.json = json;
        current.record = record;
        render(record);
        onRecord?.(record);
        if (first) renderWhy(record, gen);
      }
      // While a delivery is on its way, look again about once a second.
      if (pending(record)) pollTimer = setTimeout(() => refresh(gen), 1000);
    } catch (err) {
      if (gen !== generation) return;
      fill(body, h('header', { class: 'trace-head' }, h('h2', null, h('span', { class: 'mono' }, current.id)), h('button', { type: 'button', class: 'close', 'aria-label': 'close', onclick: onClose }, '×')), errorBox(err.status === 404 ? 'This record has left the trace (or never was in it).' : err));
      fill(why);
    }
  }

  return {
    el,
    open(id) {
      if (current?.id === id) return;
      generation++;
      clearTimeout(pollTimer);
      current = { id };
      el.hidden = false;
      fill(body, h('p', { class: 'muted' }, 'loading…'));
      fill(why);
      el.scrollTop = 0;
      refresh(generation);
    },
    close() {
      generation++;
      clearTimeout(pollTimer);
      current = undefined;
      el.hidden = true;
      fill(body);
      fill(why);
    },
    /** Stream activity: a pending delivery may have moved on. */
    activity() {
      if (!current?.record || !pending(current.record) || activityTimer) return;
      const gen = generation;
      activityTimer = setTimeout(() => {
        activityTimer = undefined;
        refresh(gen);
      }, 250);
    },
  };
}
