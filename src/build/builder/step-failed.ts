import { InvalidArgumentError } from '../../lib/errors.ts';

/** A RUN that exited non-zero: the message Docker gives, and the code. */
export class StepFailed extends InvalidArgumentError {
  readonly code: number;
  constructor(message: string, code: number) {
    super(message);
    this.code = code;
  }
}
