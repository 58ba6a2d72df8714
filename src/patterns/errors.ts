/**
 * The one error the pattern language raises: a pattern AWS would refuse. The message is the
 * reason alone; `message` adds AWS's "Event pattern is not valid. Reason: " prefix.
 */
export class InvalidPatternError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidPatternError';
    this.reason = reason;
  }
}
