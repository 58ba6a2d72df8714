// "Why didn't it match?": an explanation from the API, field by field, as text.
import { h } from './dom.js';

export function renderExplanation(ex, depth = 0) {
  const box = h('div', { class: `explain ${ex.matches ? 'matches' : 'nomatch'}` });
  if (depth === 0)
    box.append(
      h('p', { class: 'verdict' }, h('strong', null, ex.matches ? '✓ matches' : '✗ does not match'), ex.matches ? null : h('span', { class: 'summary' }, ` — ${ex.summary}`)),
    );
  if (ex.fields?.length)
    box.append(
      h(
        'table',
        { class: 'fields' },
        h('thead', null, h('tr', null, ['', 'path', 'condition', 'event values', 'reason'].map((x) => h('th', null, x)))),
        h(
          'tbody',
          null,
          ex.fields.map((f) =>
            h(
              'tr',
              { class: f.ok ? 'ok' : 'fail' },
              h('td', { class: 'mark' }, f.ok ? '✓' : '✗'),
              h('td', { class: 'mono path' }, f.path),
              h('td', { class: 'mono' }, f.condition),
              h('td', { class: 'mono' }, f.values.length ? f.values.join(', ') : '(absent)'),
              h('td', { class: 'reason' }, f.reason),
            ),
          ),
        ),
      ),
    );
  if (ex.arrayConsistency) box.append(h('p', { class: 'note' }, 'Array consistency: ', ex.arrayConsistency));
  (ex.ors ?? []).forEach((group, i) => {
    box.append(
      h(
        'div',
        { class: `or-group ${group.ok ? 'ok' : 'fail'}` },
        h('p', null, h('strong', null, `$or group ${i + 1}`), ` — ${group.ok ? 'an alternative matches' : 'no alternative matches'}`),
        h(
          'ol',
          null,
          group.alternatives.map((alt) =>
            h('li', { class: alt.matches ? 'ok' : 'fail' }, h('span', { class: 'alt-verdict' }, alt.matches ? '✓ ' : '✗ ', alt.summary), renderExplanation(alt, depth + 1)),
          ),
        ),
      ),
    );
  });
  return box;
}
