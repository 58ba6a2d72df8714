/**
 * Pattern text to a JSON value. `JSON.parse` already does what AWS does with duplicate keys (the
 * last one wins) and makes `__proto__` an own property rather than a prototype. What it hides is
 * a number that does not fit a double: `1E309` becomes Infinity (JSON.parse throws nothing) and
 * `1E-325` silently becomes 0. AWS refuses both ("Cannot compare number"), so the number tokens
 * of the raw text are checked first.
 */
import { InvalidPatternError } from './errors.js';

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parsePatternJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidPatternError((err as Error).message);
  }
  checkNumberTokens(text);
  return value;
}

/** Walks the text once, skipping strings, and refuses numbers that overflow or underflow a double. */
function checkNumberTokens(text: string): void {
  // Fast path: no exponent anywhere means no token can leave the double range by underflow,
  // and overflow needs more than 308 digits.
  if (!/[eE]/.test(text) && text.length < 300) return;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER_TOKEN.lastIndex = i;
      const m = NUMBER_TOKEN.exec(text);
      if (!m) {
        i++;
        continue;
      }
      const token = m[0];
      const value = Number(token);
      if (!Number.isFinite(value) || (value === 0 && /[1-9]/.test(token.split(/[eE]/)[0])))
        throw new InvalidPatternError(`Cannot compare number : ${token}`);
      i += token.length;
    } else i++;
  }
}
