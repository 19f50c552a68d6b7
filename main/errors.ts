/**
 * Bad input from the user's files: the message always names the file and the problem.
 * The CLI prints these without a stack trace.
 */
export class InputError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'InputError';
  }
}

/** An error as it crosses a thread boundary (postMessage loses classes): InputError keeps file and problem. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly file?: string;
  readonly problem?: string;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof InputError) return { name: e.name, message: e.message, file: e.file, problem: e.problem };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

/** The error again on this side: an InputError when it was one, else an Error with the same name and message. */
export function fromWireError(e: WireError): Error {
  if (e.file !== undefined && e.problem !== undefined) return new InputError(e.file, e.problem);
  const err = e.name === 'RangeError' ? new RangeError(e.message) : new Error(e.message);
  err.name = e.name;
  return err;
}
