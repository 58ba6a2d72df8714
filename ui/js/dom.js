// DOM helpers. Every piece of data reaches the page as a text node or an attribute value set
// through the DOM: nothing here parses HTML.

/**
 * h('div', {class: 'x', onclick: fn}, 'text', child, [more]) builds an element.
 * Strings and numbers become text nodes; null, undefined and false are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) {
        // Handlers are functions, never attribute text.
        if (typeof v === 'function') el.addEventListener(k.slice(2), v);
        continue;
      }
      if (k === 'style' || k === 'srcdoc') continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = String(v);
      else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'selected') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** JSON text, pretty-printed when it parses; anything else as it is. */
export function prettyText(text) {
  if (typeof text !== 'string') return JSON.stringify(text, null, 2);
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(t), null, 2);
    } catch {
      /* not JSON */
    }
  }
  return text;
}

export function pre(value, cls) {
  return h('pre', { class: cls ? `json ${cls}` : 'json' }, typeof value === 'string' ? prettyText(value) : JSON.stringify(value, null, 2));
}

/** 2026-11-27T10:00:00.123Z (or epoch ms) -> 10:00:00.123 */
export function clockTime(at) {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at ?? '');
  return d.toISOString().slice(11, 23);
}

export function isoTime(at) {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at ?? '') : d.toISOString();
}

/** The last part of an ARN: a bus, queue, topic or rule name. */
export function shortName(arn) {
  if (typeof arn !== 'string') return '';
  const slash = arn.lastIndexOf('/');
  const colon = arn.lastIndexOf(':');
  return arn.slice(Math.max(slash, colon) + 1) || arn;
}

export function badge(text, kind, title) {
  return h('span', { class: `badge ${kind ?? ''}`.trim(), title }, text);
}

export function stateBadge(state) {
  return badge(state, `st-${state}`);
}

/** A link to a record's trace in the stream view. */
export function traceLink(id, label) {
  return h('a', { href: `#stream/${encodeURIComponent(id)}`, class: 'mono' }, label ?? id);
}

/** A <dl> from [label, value] pairs; values that are undefined are left out. */
export function facts(pairs) {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === '') continue;
    dl.append(h('dt', null, k), h('dd', null, v));
  }
  return dl;
}

export function table(headers, rows, cls) {
  return h(
    'table',
    { class: cls ?? '' },
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows),
  );
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h3', null, title), children);
}

export function errorBox(err) {
  return h('div', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err));
}

export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}
