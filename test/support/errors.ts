/** The query error code a synchronous validator throws, or undefined when it accepts its input. */
import type { SqsError } from '../../src/shared/errors';

export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as SqsError).queryCode;
  }
  return undefined;
}
