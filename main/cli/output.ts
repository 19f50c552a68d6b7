import { InputError } from '../errors.js';

/** One JSON document on stdout for --json; everything human goes to stderr or plain stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A flag's value as a positive integer, or an error naming the flag. */
export function positiveInt(flag: string, value: string): number {
  const v = Number(value);
  if (!Number.isInteger(v) || v < 1) throw new InputError(flag, `expected a positive integer, got "${value}"`);
  return v;
}
