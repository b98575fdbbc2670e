/**
 * Escapes characters that a terminal would act on instead of showing: C0 and C1 controls
 * (escape sequences, carriage returns, bells, newlines), DEL, the Unicode line and paragraph
 * separators and the bidirectional formatting marks that can reorder what is displayed.
 * Each becomes a JSON-style escape (`\n`, `\r`, `\t`, `\u001b`), so a hostile id cannot
 * clear the screen, move the cursor, fake a line of output or split a line in two.
 * Backslashes are left alone, so Windows paths print as written.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT_ESCAPES = new Map([
  ['\n', '\\n'],
  ['\r', '\\r'],
  ['\t', '\\t'],
]);

export function escapeControlCharacters(text: string): string {
  return text.replace(UNSAFE, (character) => SHORT_ESCAPES.get(character) ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

