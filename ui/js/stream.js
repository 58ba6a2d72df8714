// The live stream: a page of trace summaries (server-side filters and paging), new records
// prepended as they arrive (filtered here), and the page reconciled with the server now and then
// (delivery states move on after a record is first streamed).
import { get, query } from './api.js';
import { badge, clockTime, debounce, fill, h, shortName } from './dom.js';
import { injectedBadge, injectedOf } from './faults.js';

export const PAGE_SIZE = 100;
const FILTERS = [
  ['bus', 'bus'],
  ['source', 'source'],
  ['detailType', 'detail-type'],
  ['topic', 'topic'],
  ['queue', 'queue'],
  ['q', 'free text'],
];

/** Does `arn` name the resource given by name or ARN (as the server's filter reads it)? */
function names(arn, filter, separator) {
  return typeof arn === 'string' && (arn === filter || arn.endsWith(`${separator}${filter}`));
}

/** The server's filters, applied to a streamed summary. */
export function passes(s, f) {
  if (f.kind && s.kind !== f.kind) return false;
  if (s.kind === 'event') {
    if (f.topic || f.queue) return false;
    if (f.bus && !names(s.busArn, f.bus, ':event-bus/')) return false;
    if (f.source && s.source !== f.source) return false;
    if (f.detailType && s.detailType !== f.detailType) return false;
  } else {
    if (f.bus || f.source || f.detailType) return false;
    if (s.kind === 'publish' && (f.queue || (f.topic && !names(s.topicArn, f.topic, ':')))) return false;
    if (s.kind === 'send' && (f.topic || (f.queue && !names(s.queueArn, f.queue, ':')))) return false;
  }
  // The payload is not in a summary: the page's next reconciliation settles free text.
  if (f.q && !JSON.stringify(s).includes(f.q)) return false;
  return true;
}

function stateCounts(deliveries) {
  const counts = new Map();
  for (const d of deliveries ?? []) counts.set(d.state, (counts.get(d.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => badge(n > 1 ? `${state} ×${n}` : state, `st-${state}`));
}

function resourceOf(s) {
  return s.kind === 'event' ? shortName(s.busArn) : s.kind === 'publish' ? shortName(s.topicArn) : shortName(s.queueArn);
}

function whatOf(s) {
  if (s.kind === 'event') return [h('span', { class: 'src' }, s.source), ' · ', h('span', null, s.detailType)];
  if (s.kind === 'publish') return s.subject ? ['subject: ', s.subject] : [s.via];
  return [s.via, s.duplicate ? ' (duplicate)' : ''];
}

/** Faults that fired on the record (the summary's `injected`), each as a badge. */
function injectedOfSummary(s) {
  return Array.isArray(s.injected) && s.injected.length ? h('div', { class: 'injected-marks' }, s.injected.map(injectedBadge)) : null;
}

/** Where it went: the rules matched (subscriptions passed), each delivery's state, and what a fault did. */
function routingOf(s) {
  return [routing(s), injectedOfSummary(s)];
}

function routing(s) {
  if (s.kind === 'send') return h('span', { class: 'muted' }, s.duplicate ? 'duplicate, not queued' : 'queued');
  let lead;
  if (s.kind === 'event') {
    const n = s.matchedRules?.length ?? 0;
    if (!n) return h('span', { class: 'muted' }, 'no rule matched');
    lead = `${n} rule${n === 1 ? '' : 's'}`;
  } else {
    const n = s.deliveries?.length ?? 0;
    const out = s.filteredOut?.length ?? 0;
    if (!n) return h('span', { class: 'muted' }, out ? `all ${out} filtered out` : 'no subscriber');
    lead = `${n} sub${n === 1 ? '' : 's'}${out ? `, ${out} filtered out` : ''}`;
  }
  return [h('span', { class: 'muted' }, lead), ' ', stateCounts(s.deliveries)];
}

export function summaryRow(s, selectedId) {
  return h(
    'tr',
    { class: `row${s.id === selectedId ? ' selected' : ''}${Array.isArray(s.injected) ? ' injected' : ''}`, 'data-id': s.id, tabindex: '0' },
    h('td', { class: 'mono time' }, clockTime(s.at)),
    h('td', null, badge(s.kind, `k-${s.kind}`)),
    h('td', { class: 'res', title: s.busArn ?? s.topicArn ?? s.queueArn }, resourceOf(s)),
    h('td', { class: 'what', title: s.busArn ?? s.topicArn ?? s.queueArn }, whatOf(s)),
    h('td', { class: 'states' }, routingOf(s)),
    h('td', { class: 'flags' }, s.repeatedKey ? badge('repeated key', 'warn', `idempotency key ${s.idempotencyKey}`) : null),
  );
}

export function createStream({ onSelect }) {
  const filters = {};
  const state = { offset: 0, rows: [], matched: 0, total: 0, fresh: 0, selected: undefined, loading: false, again: false };
  const buffer = [];
  let frame = 0;
  let reconcileTimer;

  const kind = h(
    'select',
    { name: 'kind', 'aria-label': 'kind' },
    ['', 'event', 'publish', 'send'].map((k) => h('option', { value: k }, k || 'all kinds')),
  );
  const inputs = FILTERS.map(([key, label]) => h('input', { name: key, placeholder: label, 'aria-label': label, type: 'search', autocomplete: 'off', spellcheck: 'false' }));
  const apply = () => {
    filters.kind = kind.value;
    for (const i of inputs) filters[i.name] = i.value.trim();
    state.offset = 0;
    load();
  };
  const applySoon = debounce(apply, 200);
  kind.addEventListener('change', apply);
  for (const i of inputs) i.addEventListener('input', applySoon);

  const status = h('span', { class: 'count', 'data-testid': 'count' });
  const freshBtn = h('button', { class: 'fresh', hidden: true, type: 'button', onclick: () => ((state.offset = 0), load()) });
  const prev = h('button', { type: 'button', onclick: () => ((state.offset = Math.max(0, state.offset - PAGE_SIZE)), load()) }, '← newer');
  const next = h('button', { type: 'button', onclick: () => ((state.offset += PAGE_SIZE), load()) }, 'older →');
  const live = h('span', { class: 'live', title: 'live stream' }, '●');
  const tbody = h('tbody');
  const empty = h('p', { class: 'empty', hidden: true }, 'Nothing in the trace matches. Put an event, publish or send a message: it shows up here as it happens.');

  tbody.addEventListener('click', (e) => {
    const tr = e.target instanceof Element ? e.target.closest('tr[data-id]') : null;
    if (tr) onSelect(tr.dataset.id);
  });
  tbody.addEventListener('keydown', (e) => {
    const tr = e.target instanceof Element ? e.target.closest('tr[data-id]') : null;
    if (tr && e.key === 'Enter') onSelect(tr.dataset.id);
  });

  const el = h(
    'div',
    { class: 'stream' },
    h('form', { class: 'filters', onsubmit: (e) => (e.preventDefault(), apply()) }, kind, inputs, h('button', { type: 'button', onclick: () => { kind.value = ''; for (const i of inputs) i.value = ''; apply(); } }, 'clear')),
    h('div', { class: 'pager' }, live, status, freshBtn, h('span', { class: 'spacer' }), prev, next),
    h(
      'div',
      { class: 'list' },
      h(
        'table',
        { class: 'records' },
        h('thead', null, h('tr', null, ['time', 'kind', 'resource', 'what', 'routing', ''].map((x) => h('th', null, x)))),
        tbody,
      ),
      empty,
    ),
  );

  function renderStatus() {
    const from = state.rows.length ? state.offset + 1 : 0;
    status.textContent = `${from}–${state.offset + state.rows.length} of ${state.matched.toLocaleString('en')} matching · ${state.total.toLocaleString('en')} in trace`;
    prev.disabled = state.offset === 0;
    next.disabled = state.offset + state.rows.length >= state.matched;
    freshBtn.hidden = state.fresh === 0;
    freshBtn.textContent = `${state.fresh} new ↑`;
    empty.hidden = state.rows.length > 0;
  }

  function render() {
    fill(tbody, state.rows.map((s) => summaryRow(s, state.selected)));
    renderStatus();
  }

  async function load() {
    if (state.loading) {
      state.again = true;
      return;
    }
    state.loading = true;
    try {
      const page = await get(`/events${query({ ...filters, limit: PAGE_SIZE, offset: state.offset })}`);
      state.rows = page.events;
      state.matched = page.matched;
      state.total = page.total;
      if (state.offset === 0) state.fresh = 0;
      render();
      live.classList.remove('off');
    } catch (err) {
      status.textContent = `could not load the trace: ${err.message}`;
    } finally {
      state.loading = false;
      if (state.again) {
        state.again = false;
        load();
      } else if (state.rows.some((s) => s.deliveries?.some((d) => d.state === 'pending' || d.state === 'retrying'))) reconcileSoon(1500);
    }
  }

  function reconcileSoon(ms = 150) {
    if (reconcileTimer) return;
    reconcileTimer = setTimeout(() => {
      reconcileTimer = undefined;
      load();
    }, ms);
  }

  function flush() {
    frame = 0;
    const arrivals = buffer.splice(0);
    state.total += arrivals.length;
    const shown = new Set(state.rows.map((s) => s.id));
    const matching = arrivals.filter((s) => passes(s, filters) && !shown.has(s.id));
    state.matched += matching.length;
    if (state.offset === 0) {
      // Newest first: the last to arrive goes on top. Only a page of rows is ever in the DOM.
      const added = matching.slice(-PAGE_SIZE).reverse();
      state.rows = added.concat(state.rows).slice(0, PAGE_SIZE);
      tbody.prepend(...added.map((s) => summaryRow(s, state.selected)));
      while (tbody.children.length > PAGE_SIZE) tbody.lastElementChild.remove();
    } else state.fresh += matching.length;
    renderStatus();
    // Streamed summaries are taken as records are added (before routing): settle with the server.
    reconcileSoon();
  }

  return {
    el,
    load,
    arrive(summary) {
      buffer.push(summary);
      if (!frame) frame = requestAnimationFrame(flush);
    },
    disconnected() {
      live.classList.add('off');
    },
    /** A fresher full record (from the open trace): its row follows. */
    patch(record) {
      const i = state.rows.findIndex((s) => s.id === record.id);
      if (i < 0 || !record.deliveries) return;
      const s = { ...state.rows[i], deliveries: record.deliveries.map((d) => ({ ...d, attempts: d.attempts.length })) };
      const injected = injectedOf(record);
      if (injected) s.injected = injected;
      else delete s.injected;
      const was = state.rows[i];
      if (
        JSON.stringify(s.deliveries.map((d) => d.state)) === JSON.stringify(was.deliveries?.map((d) => d.state)) &&
        JSON.stringify(s.injected) === JSON.stringify(was.injected)
      )
        return;
      state.rows[i] = s;
      const tr = [...tbody.children].find((el) => el.dataset.id === record.id);
      tr?.replaceWith(summaryRow(s, state.selected));
    },
    select(id) {
      state.selected = id;
      for (const tr of tbody.children) tr.classList.toggle('selected', tr.dataset.id === id);
    },
    setFilter(key, value) {
      if (key === 'kind') kind.value = value;
      else for (const i of inputs) if (i.name === key) i.value = value;
      apply();
    },
  };
}
