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
