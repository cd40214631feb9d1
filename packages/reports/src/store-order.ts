/**
 * Reports list stores in byte order of their UTF-8 ids, like Postgres' COLLATE "C" on the
 * registry. JS string comparison orders UTF-16 code units, which differs for characters beyond
 * U+FFFF, so ids that are not plain ASCII are compared as bytes.
 */
export function compareStoreIds(a: string, b: string): number {
  if (isAscii(a) && isAscii(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 0x7f) return false;
  return true;
}
