// The debug UI: a hash router over a few views, one live stream (server-sent events) for all.
import { get, post } from './api.js';
import { h } from './dom.js';
import { createFaults } from './faults.js';
import { createBuses, createQueues, createTopics } from './resources.js';
import { createSend } from './send.js';
import { createStream } from './stream.js';
import { createIdempotency, createTester } from './tools.js';
import { createTrace } from './trace.js';

const navigate = (hash) => {
  if (location.hash === hash) route();
  else location.hash = hash;
};

const trace = createTrace({
  onClose: () => navigate('#stream'),
  onRecord: (record) => stream.patch(record),
  onTest: (event) => {
    tester.prefill(event);
    navigate('#tester');
  },
});
const stream = createStream({ onSelect: (id) => navigate(`#stream/${encodeURIComponent(id)}`) });
const tester = createTester();
const views = {
  stream: { el: h('div', { class: 'stream-layout' }, stream.el, trace.el), load() {} },
  tester,
  buses: createBuses(),
  queues: createQueues({ navigate }),
  topics: createTopics(),
  send: createSend(),
  idempotency: createIdempotency(),
  faults: createFaults(),
};
const TABS = [
  ['stream', 'Live stream'],
  ['buses', 'Buses'],
  ['queues', 'Queues'],
  ['topics', 'Topics'],
  ['send', 'Send'],
  ['tester', 'Pattern tester'],
  ['idempotency', 'Idempotency'],
  ['faults', 'Faults'],
];

const clockText = h('span', { class: 'clock mono', title: "Switchyard's clock" });
async function showClock() {
  try {
    const c = await get('/clock');
    clockText.textContent = `${c.now.replace('T', ' ').slice(0, 19)}${c.frozen ? ' (frozen)' : ''}`;
  } catch {
    clockText.textContent = 'clock unavailable';
  }
}
let clockTimer;
/** Records carry Switchyard's time: show the clock they moved (at most once a second). */
function clockSoon() {
  clockTimer ??= setTimeout(() => {
    clockTimer = undefined;
    showClock();
  }, 1000);
}
const advance = h(
  'button',
  {
    type: 'button',
    title: 'make a minute pass now: schedules fire, retries run, visibility expires',
    onclick: async () => {
      await post('/clock/advance', { ms: 60_000 }).catch(() => undefined);
      showClock();
    },
  },
  '+1 min',
);

const nav = h(
  'nav',
  null,
  TABS.map(([key, label]) => h('a', { href: `#${key}`, 'data-tab': key }, label)),
);
const main = h('main');
document.body.append(
  h('header', { class: 'top' }, h('a', { class: 'brand', href: '#stream' }, 'Switchyard'), nav, h('span', { class: 'spacer' }), clockText, advance),
  main,
);
for (const v of Object.values(views)) {
  v.el.hidden = true;
  main.append(v.el);
}

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const slash = hash.indexOf('/');
  const name = slash < 0 ? hash : hash.slice(0, slash);
  const arg = slash < 0 ? undefined : decodeURIComponent(hash.slice(slash + 1));
  const key = name in views ? name : 'stream';
  for (const [k, v] of Object.entries(views)) v.el.hidden = k !== key;
  for (const a of nav.children) a.classList.toggle('active', a.dataset.tab === key);
  if (key === 'stream') {
    if (arg) trace.open(arg);
    else trace.close();
    stream.select(arg);
    views.stream.el.classList.toggle('with-trace', !!arg);
  } else if (key === 'queues') views.queues.load(arg);
  else views[key].load();
}

// One stream for the page: new records into the list, and a nudge for an open trace. A hidden
// tab lets go of it (browsers allow few connections per host) and catches up when shown again.
let source;
function connect() {
  if (source) return;
  source = new EventSource('/_switchyard/api/stream');
  const root = document.documentElement;
  source.addEventListener('open', () => {
    root.dataset.live = 'open';
    stream.load();
  });
  source.addEventListener('trace', (e) => {
    let summary;
    try {
      summary = JSON.parse(e.data);
    } catch {
      return;
    }
    stream.arrive(summary);
    trace.activity();
    clockSoon();
  });
  source.addEventListener('error', () => {
    root.dataset.live = 'closed';
    stream.disconnected();
  });
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) return connect();
  source?.close();
  source = undefined;
  document.documentElement.dataset.live = 'closed';
  stream.disconnected();
});

window.addEventListener('hashchange', route);
route();
stream.load();
connect();
showClock();
setInterval(showClock, 5000);
document.documentElement.dataset.ready = 'true';
