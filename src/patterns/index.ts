/**
 * The EventBridge event-pattern language, shared by EventBridge rules and SNS filter policies:
 * validate (text -> ValidatedPattern, or InvalidPatternError), compile (-> CompiledPattern),
 * match (CompiledPattern x event -> boolean).
 */
export { InvalidPatternError } from './errors.js';
export { validatePattern, validatePatternText, type ValidatedPattern, type Condition } from './validate.js';
export { compilePattern, type CompiledPattern } from './compile.js';
export { MatchTooComplexError, matchesEvent, matchesFlat } from './match.js';
export { flattenEvent, type FlatEvent } from './event.js';
export { PatternIndex } from './rule-index.js';
export { explainPattern, type FieldExplanation, type PatternExplanation } from './explain.js';

import { compilePattern, type CompiledPattern } from './compile.js';
import { validatePatternText } from './validate.js';

/** Pattern text to a compiled pattern in one step; throws InvalidPatternError. */
export function compilePatternText(text: string): CompiledPattern {
  return compilePattern(validatePatternText(text));
}
