/**
 * The file name in a peer's Content-Disposition (RFC 6266): `filename*=utf-8''...` preferred, else
 * `filename="..."` or a bare token. Null when absent or not something we would store from a user
 * (control characters, over 255 bytes).
 */
export function dispositionName(header: string | undefined): string | null {
  if (!header) return null;
  const extended = /(?:^|;)\s*filename\*\s*=\s*utf-8''([^;\s]+)/i.exec(header)?.[1];
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
  let name: string | undefined;
  try {
    name = extended !== undefined ? decodeURIComponent(extended) : (plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]);
  } catch {
    name = undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (!name || Buffer.byteLength(name, 'utf8') > 255 || /[\u0000-\u001f\u007f]/.test(name)) return null;
  return name;
}
