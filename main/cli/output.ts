/** One JSON document on stdout for --json; everything human goes to stderr or plain stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
