// Fault injection (src/faults): the seed, the faults set with how often each was asked and fired,
// forms to add one and set the seed (the server checks them: its 400 message is shown as is),
// and the badges that mark what a fault did in the stream and in a record's trace.
import { ApiError, del, enc, get, post } from './api.js';
import { badge, clockTime, errorBox, fill, h, isoTime, table } from './dom.js';

export const FAULT_KINDS = ['duplicate', 'reorder', 'failure', 'latency', 'api-error', 'quota'];
const SERVICES = ['sqs', 'sns', 'events'];
const API_ERRORS = ['ThrottlingException', 'RequestThrottled', 'Throttled', 'InternalError', 'InternalFailure', 'InternalException', 'ServiceUnavailable'];

const KIND_HELP = {
  duplicate: 'a message or event delivered more than once (copies in all, the original included)',
  reorder: 'a standard queue hands out messages out of order (never a FIFO queue)',
  failure: 'a delivery attempt fails with the error given, so retries and DLQs run',
  latency: 'delay added: to API calls with a service, to deliveries (on the clock) without',
  'api-error': "an API call answers with AWS's throttling or internal error",
  quota: "AWS's per-second quota enforced (perSecond, or AWS's default for the operation)",
};

/** Which form fields each kind reads (a quota counts calls: it has no resource nor probability). */
const KIND_FIELDS = {
  duplicate: ['resource', 'probability', 'count', 'copies'],
  reorder: ['resource', 'probability', 'count'],
  failure: ['resource', 'probability', 'count', 'error', 'message'],
  latency: ['service', 'operation', 'resource', 'probability', 'count', 'delayMs'],
  'api-error': ['service', 'operation', 'resource', 'probability', 'count', 'error', 'message'],
  quota: ['service', 'operation', 'perSecond'],
};
const NUMBER_FIELDS = new Set(['probability', 'count', 'copies', 'delayMs', 'perSecond']);

/** The text of one injected mark: "injected: duplicate ×3 (fault-2)", "injected latency 2000 ms (fault-1)". */
export function injectedText(mark) {
  const id = mark.faultId ? ` (${mark.faultId})` : '';
  const times = mark.times > 1 ? ` ×${mark.times}` : '';
  switch (mark.kind) {
    case 'duplicate':
      return `injected: duplicate ×${mark.copies ?? 2}${id}`;
    case 'latency':
      return `injected latency ${mark.delayMs ?? '?'} ms${times}${id}`;
    case 'failure':
      return `injected failure${times}${id}`;
    default:
      return `injected ${mark.kind}${times}${id}`;
  }
}

/** A badge for one injected mark (a send's, a delivery's, an attempt's, or a summary's entry). */
export function injectedBadge(mark) {
  if (!mark || typeof mark !== 'object' || typeof mark.kind !== 'string') return null;
  return h(
    'span',
    { class: 'badge injected', 'data-injected': mark.kind, title: `injected on purpose by Switchyard (${mark.faultId ?? 'a fault'}), not something AWS did` },
    injectedText(mark),
  );
}

/**
 * The faults that touched a full record (as GET /events/<id> answers it): one entry per fault
 * and kind, as the server's summaries list them.
 */
export function injectedOf(record) {
  const out = new Map();
  const add = (mark) => {
    if (!mark || typeof mark !== 'object' || typeof mark.faultId !== 'string' || typeof mark.kind !== 'string') return;
    const key = `${mark.faultId}\n${mark.kind}`;
    const s = out.get(key) ?? { faultId: mark.faultId, kind: mark.kind, times: 0 };
    if (typeof mark.copies === 'number') s.copies = mark.copies;
    if (typeof mark.delayMs === 'number') s.delayMs = mark.delayMs;
    s.times++;
    out.set(key, s);
  };
  if (record.kind === 'send') add(record.injected);
  for (const d of record.deliveries ?? []) {
    add(d.injected);
    for (const m of Array.isArray(d.alsoInjected) ? d.alsoInjected : []) add(m);
    for (const a of Array.isArray(d.attempts) ? d.attempts : []) add(a?.injected);
  }
  return out.size ? [...out.values()] : undefined;
}

/** What a fault does, in a few words: where, and its settings. */
function whereOf(f) {
  const call = f.service ? `${f.service}${f.operation ? `.${f.operation}` : ' (every operation)'}` : undefined;
  return [call ? h('div', { class: 'mono' }, call) : null, h('div', { class: 'mono' }, f.resource ?? (call ? '' : '*'))];
}

function settingsOf(f) {
  const parts = [];
  parts.push(`probability ${f.probability ?? 1}`);
  if (f.count !== undefined) parts.push(`count ${f.count}`);
  if (f.kind === 'duplicate' || f.copies !== undefined) parts.push(`copies ${f.copies ?? 2}`);
  if (f.error !== undefined) parts.push(`error ${f.error}`);
  if (f.delayMs !== undefined) parts.push(`delay ${f.delayMs} ms`);
  if (f.perSecond !== undefined) parts.push(`${f.perSecond}/s`);
  return [parts.join(' · '), f.message !== undefined ? h('div', { class: 'muted' }, `message: ${f.message}`) : null];
}

/** The server's message for a refused request: "fault.probability: must be ..." */
function messageOf(err) {
  const body = err instanceof ApiError && err.body && typeof err.body === 'object' ? err.body : undefined;
  return body?.message ? `${body.error ? `${body.error}: ` : ''}${body.message}` : err instanceof Error ? err.message : String(err);
}

function field(name, label, control, hint) {
  return h('label', { class: 'field', 'data-field': name }, h('span', null, label, hint ? h('span', { class: 'muted small' }, ` — ${hint}`) : null), control);
}

export function createFaults() {
  const el = h('div', { class: 'faults' });
  let lastJson;
  let pollTimer;
  let loading;

  // ------------------------------------------------------------ seed
  const seedText = h('span', { class: 'mono', 'data-testid': 'seed' }, '…');
  const seedInput = h('input', { name: 'seed', type: 'number', min: '0', step: '1', placeholder: 'e.g. 42', 'aria-label': 'seed', autocomplete: 'off' });
  const seedOut = h('div', { class: 'seed-out', 'aria-live': 'polite' });
  const seedForm = h(
    'form',
    {
      class: 'inline-form',
      'data-form': 'seed',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        const v = seedInput.value.trim();
        try {
          render(await post('/faults/seed', { seed: v === '' ? null : Number(v) }));
          fill(seedOut);
          seedInput.value = '';
        } catch (err) {
          fill(seedOut, h('div', { class: 'error', role: 'alert' }, messageOf(err)));
        }
      },
    },
    seedInput,
    h('button', { type: 'submit' }, 'Set seed'),
  );

  // ------------------------------------------------------------ the list
  const note = h('p', { class: 'note', 'aria-live': 'polite' });
  const listBox = h('div', { class: 'fault-list' });
  const recentCard = h('section', { class: 'card fault-recent', hidden: true });
  const removeAll = h(
    'button',
    {
      type: 'button',
      class: 'danger remove-all',
      onclick: async () => {
        removeAll.disabled = true;
        try {
          const r = await del('/faults');
          note.textContent = `Removed ${r.removed} fault${r.removed === 1 ? '' : 's'}.`;
        } catch (err) {
          note.textContent = messageOf(err);
        }
        refresh();
      },
    },
    'Remove all',
  );

  async function remove(id, button) {
    button.disabled = true;
    try {
      await del(`/faults/${enc(id)}`);
      note.textContent = `Removed ${id}.`;
    } catch (err) {
      // Spent (its count reached) or removed elsewhere: the list is refreshed either way.
      note.textContent = messageOf(err);
    }
    refresh();
  }

  function faultRow(f) {
    return h(
      'tr',
      { 'data-fault': f.id },
      h('td', { class: 'mono nowrap' }, f.id),
      h('td', null, badge(f.kind, 'injected')),
      h('td', null, whereOf(f)),
      h('td', null, settingsOf(f)),
      h('td', { class: 'num fired' }, f.fired),
      h('td', { class: 'num asked' }, f.asked),
      h('td', null, h('button', { type: 'button', class: 'danger remove', 'aria-label': `remove ${f.id}`, onclick: (e) => remove(f.id, e.currentTarget) }, 'Remove')),
    );
  }

  function render(r) {
    const json = JSON.stringify(r);
    if (json === lastJson) return;
    lastJson = json;
    seedText.textContent = String(r.seed);
    const faults = Array.isArray(r.faults) ? r.faults : [];
    removeAll.disabled = faults.length === 0;
    fill(
      listBox,
      faults.length
        ? table(['id', 'kind', 'where', 'settings', 'fired', 'asked', ''], faults.map(faultRow), 'fault-table')
        : h('p', { class: 'muted empty-faults' }, 'No fault is set: Switchyard behaves. Add one below.'),
    );
    // The faults that fired lately (when the server keeps them): spent faults and API errors too.
    const recent = Array.isArray(r.recent) ? r.recent.slice(-50).reverse() : undefined;
    recentCard.hidden = !recent;
    fill(
      recentCard,
      recent
        ? [
            h('h3', null, `Fired lately (${r.recent.length})`),
            recent.length
              ? table(
                  ['at', 'fault', 'kind', 'where'],
                  recent.map((x) => h('tr', null, h('td', { class: 'mono nowrap', title: isoTime(x.at) }, clockTime(x.at)), h('td', { class: 'mono' }, x.faultId), h('td', null, x.kind), h('td', { class: 'mono' }, x.where ?? ''))),
                )
              : h('p', { class: 'muted' }, 'No fault has fired yet.'),
          ]
        : null,
    );
  }

  async function refresh() {
    if (loading) return loading;
    loading = (async () => {
      try {
        render(await get('/faults'));
      } catch (err) {
        lastJson = undefined;
        fill(listBox, errorBox(err));
      } finally {
        loading = undefined;
      }
    })();
    return loading;
  }

  // ------------------------------------------------------------ the add form
  const controls = {
    kind: h('select', { name: 'kind' }, FAULT_KINDS.map((k) => h('option', { value: k }, k))),
    resource: h('input', { name: 'resource', placeholder: 'ARN, glob (arn:aws:sqs:*:orders-*) or *', autocomplete: 'off', spellcheck: 'false' }),
    service: h('select', { name: 'service' }, h('option', { value: '' }, '(none)'), SERVICES.map((s) => h('option', { value: s }, s))),
    operation: h('input', { name: 'operation', placeholder: 'e.g. SendMessage (empty: every operation)', autocomplete: 'off', spellcheck: 'false' }),
    probability: h('input', { name: 'probability', type: 'number', step: 'any', placeholder: '1', autocomplete: 'off' }),
    count: h('input', { name: 'count', type: 'number', step: '1', placeholder: 'no limit', autocomplete: 'off' }),
    copies: h('input', { name: 'copies', type: 'number', step: '1', placeholder: '2', autocomplete: 'off' }),
    error: h('input', { name: 'error', list: 'fault-errors', placeholder: 'e.g. ThrottlingException', autocomplete: 'off', spellcheck: 'false' }),
    message: h('input', { name: 'message', placeholder: "AWS's message for the error", autocomplete: 'off' }),
    delayMs: h('input', { name: 'delayMs', type: 'number', step: '1', placeholder: 'e.g. 2000', autocomplete: 'off' }),
    perSecond: h('input', { name: 'perSecond', type: 'number', step: 'any', placeholder: "AWS's quota", autocomplete: 'off' }),
  };
  const kindHelp = h('p', { class: 'muted small kind-help' });
  const addOut = h('div', { class: 'out', 'data-out': 'fault', 'aria-live': 'polite' });
  const fields = {
    resource: field('resource', 'resource', controls.resource, 'queue, topic, subscription, bus, rule or target (<ruleArn>#<targetId>)'),
    service: field('service', 'service', controls.service),
    operation: field('operation', 'operation', controls.operation),
    probability: field('probability', 'probability', controls.probability, '0 to 1, default 1'),
    count: field('count', 'count', controls.count, 'fire at most this many times'),
    copies: field('copies', 'copies', controls.copies, 'deliveries in all'),
    error: field('error', 'error', controls.error),
    message: field('message', 'message', controls.message),
    delayMs: field('delayMs', 'delay (ms)', controls.delayMs),
    perSecond: field('perSecond', 'per second', controls.perSecond),
  };

  function showFields() {
    const kind = controls.kind.value;
    const shown = new Set(KIND_FIELDS[kind] ?? []);
    for (const [name, f] of Object.entries(fields)) f.hidden = !shown.has(name);
    controls.service.firstElementChild.textContent = kind === 'latency' ? '(none: on deliveries)' : '(none)';
    kindHelp.textContent = KIND_HELP[kind] ?? '';
  }
  controls.kind.addEventListener('change', showFields);

  function clearInvalid() {
    for (const c of Object.values(controls)) c.removeAttribute('aria-invalid');
  }

  /** The fault as the form gives it: the fields shown and filled, numbers as numbers. */
  function spec() {
    const kind = controls.kind.value;
    const out = { kind };
    for (const name of KIND_FIELDS[kind] ?? []) {
      const raw = controls[name].value.trim();
      if (raw === '') continue;
      // A number the server cannot read is sent as text: its message names the field.
      out[name] = NUMBER_FIELDS.has(name) && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    }
    return out;
  }

  const addForm = h(
    'form',
    {
      class: 'card fault-form',
      'data-form': 'fault',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clearInvalid();
        try {
          const f = await post('/faults', spec());
          fill(addOut, h('p', { class: 'ok' }, `Added ${f.id}.`));
          await refresh();
        } catch (err) {
          fill(addOut, h('div', { class: 'error', role: 'alert' }, messageOf(err)));
          // "fault.probability: ..." names the field: point at it.
          const m = /^fault\.(\w+)/.exec(err?.body?.message ?? '');
          const bad = m && controls[m[1]];
          if (bad) {
            bad.setAttribute('aria-invalid', 'true');
            bad.focus();
          }
        }
      },
    },
    h('h3', null, 'Add a fault'),
    field('kind', 'kind', controls.kind),
    kindHelp,
    Object.values(fields),
    h('datalist', { id: 'fault-errors' }, API_ERRORS.map((code) => h('option', { value: code }))),
    h('button', { type: 'submit', class: 'primary' }, 'Add fault'),
    addOut,
  );
  showFields();

  fill(
    el,
    h('div', { class: 'toolbar' }, h('h2', null, 'Faults'), h('button', { type: 'button', class: 'refresh', onclick: () => refresh() }, 'refresh')),
    h(
      'p',
      { class: 'muted' },
      'Faults make Switchyard misbehave on purpose, as AWS does now and then: duplicates, reordering, failed deliveries, latency, throttling. Each one that fires is marked ',
      badge('injected', 'injected'),
      ' in the stream and in the trace. With the same seed, the same calls meet the same faults.',
    ),
    h('section', { class: 'card seed-card' }, h('h3', null, 'Seed: ', seedText), seedForm, seedOut),
    h('section', { class: 'card' }, h('div', { class: 'toolbar' }, h('h3', null, 'Faults set'), removeAll), note, listBox, h('p', { class: 'muted small' }, 'A fault with a count is removed once it has fired that many times.')),
    addForm,
    recentCard,
  );

  /** While the view is shown, counts move with traffic: look again now and then. */
  function poll() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      if (el.hidden || document.hidden) return;
      await refresh();
      poll();
    }, 2000);
  }

  return {
    el,
    async load() {
      note.textContent = '';
      await refresh();
      poll();
    },
  };
}
