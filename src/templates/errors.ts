/**
 * The one error a bad template gives: a single line naming the template, where in it (a logical
 * id and a property path, or a line and column), and what is wrong:
 *
 *   stack.yaml: Resources.OrdersQueue.Properties.VisibilityTimeout: must be a number, got a list
 *   stack.yaml: Resources.OrdersRule: PutRule failed with InvalidEventPatternException: ...
 *
 * It is a ConfigFileError (same shape: file, where, problem), so whoever handles a bad config
 * file at start handles a bad template the same way; its name tells them apart.
 */
import { ConfigFileError } from '../config-file/errors.js';

export class TemplateError extends ConfigFileError {
  constructor(file: string, where: string | undefined, problem: string) {
    super(file, where, problem);
    this.name = 'TemplateError';
  }
}
