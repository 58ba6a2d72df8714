/**
 * Wildcard patterns: `*` matches any run of characters, `\*` a literal star, `\\` a backslash.
 * Validation refuses what AWS refuses (consecutive stars, stray escapes, patterns too complex to
 * match cheaply); compilation turns a pattern into a matcher that runs in one pass (no regular
 * expression: see wildcardMatcher).
 */
import { InvalidPatternError } from './errors.js';

type Token = { star: true } | { star: false; char: string };

/**
 * The most NFA states a wildcard may have active at once. AWS refuses patterns like
 * `*:*:*:*:*:event-bus/*` ("Rule is too complex") and accepts `arn:...:*:event-bus/*` and
 * `/Users/*\/dir/dir/dir/dir/dir/doc.txt`; AWS does not publish its measure, so this bound is ours,
 * set between the worst accepted (8) and the best refused (13) patterns known.
 */
const MAX_ACTIVE_STATES = 10;
/** Exploring more distinct state sets than this already means the pattern is too complex. */
const MAX_STATE_SETS = 2000;

export function tokenizeWildcard(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new InvalidPatternError(`Invalid escape character at pos ${i}`);
      tokens.push({ star: false, char: next });
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*') throw new InvalidPatternError(`Consecutive wildcard characters at pos ${i + 1}`);
      tokens.push({ star: true });
    } else tokens.push({ star: false, char: c });
  }
  return tokens;
}

export function validateWildcard(pattern: string): void {
  const tokens = tokenizeWildcard(pattern);
  if (tokens.filter((t) => t.star).length > 1 && maxActiveStates(tokens) > MAX_ACTIVE_STATES)
    throw new InvalidPatternError(
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
}

/** Subset construction over the pattern's own characters plus one "other": the largest state set reached. */
function maxActiveStates(tokens: Token[]): number {
  const m = tokens.length;
  const close = (states: number[]): number[] => {
    const out = new Set(states);
    for (const s of states) for (let k = s; k < m && tokens[k].star; k++) out.add(k + 1);
    return [...out].sort((a, b) => a - b);
  };
  const alphabet = [...new Set(tokens.flatMap((t) => (t.star ? [] : [t.char])))];
  alphabet.push('\u0000');
  const seen = new Set<string>();
  const queue = [close([0])];
  let max = 0;
  while (queue.length > 0) {
    const states = queue.pop()!;
    const key = states.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    if (seen.size > MAX_STATE_SETS) return Infinity;
    max = Math.max(max, states.length);
    for (const ch of alphabet) {
      const next: number[] = [];
      for (const s of states) {
        if (s >= m) continue;
        const t = tokens[s];
        if (t.star) next.push(s);
        else if (t.char === ch) next.push(s + 1);
      }
      if (next.length > 0) queue.push(close(next));
    }
  }
  return max;
}

/** A compiled wildcard: `test(value)` tells whether the whole value matches. */
export interface WildcardMatcher {
  test(value: string): boolean;
}

/**
 * Compiles a validated wildcard. Not a regular expression: `^.*a.*a.*a.*b$` backtracks
 * polynomially (`*a*a*a*b`, which validation accepts, took 43 s on 500 characters of `a`, and
 * event values run to 256 KiB). With `*` the only operator, the literal runs between stars can be
 * placed greedily: the first must start the value, the last end it, and each one between goes at
 * its leftmost place after the one before (a later place never leaves more room for the rest).
 */
export function wildcardMatcher(pattern: string): WildcardMatcher {
  const runs: string[] = [''];
  for (const t of tokenizeWildcard(pattern)) {
    if (t.star) runs.push('');
    else runs[runs.length - 1] += t.char;
  }
  if (runs.length === 1) {
    const exact = runs[0];
    return { test: (value) => value === exact };
  }
  const first = runs[0];
  const last = runs[runs.length - 1];
  const middle = runs.slice(1, -1).filter((r) => r !== '');
  const fixed = first.length + last.length;
  return {
    test(value: string): boolean {
      if (value.length < fixed || !value.startsWith(first) || !value.endsWith(last)) return false;
      const end = value.length - last.length;
      let at = first.length;
      for (const run of middle) {
        const found = value.indexOf(run, at);
        if (found < 0 || found + run.length > end) return false;
        at = found + run.length;
      }
      return true;
    },
  };
}
