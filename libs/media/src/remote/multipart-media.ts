import sjson from 'secure-json-parse';
import { ByteReader, MalformedAnswerError } from './byte-reader';

const CRLF = Buffer.from('\r\n');
const MAX_PREAMBLE_BYTES = 4096;
const MAX_HEADER_LINE_BYTES = 8192;
const MAX_HEADER_LINES = 64;
const MAX_METADATA_BYTES = 64 * 1024;

/** A federation media answer (spec v1.11 "Content repository"): its metadata, then the bytes or where to get them. */
export interface MultipartMedia {
  readonly metadata: Record<string, unknown>;
  /** The second part's headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The part's `Location`, when the bytes are elsewhere. */
  readonly location?: string;
  /** The bytes, streamed as they arrive; fails with MalformedAnswerError when the body ends before its closing delimiter. */
  readonly bytes?: AsyncIterable<Buffer>;
}

/**
 * Reads a `multipart/mixed` federation media answer as it streams: the JSON metadata part is
 * bounded and parsed, the media part is handed on without being buffered. Anything that is not
 * the spec's shape is a MalformedAnswerError.
 */
export async function readMultipartMedia(body: AsyncIterable<Buffer>, contentType: string): Promise<MultipartMedia> {
  const boundary = boundaryOf(contentType);
  const reader = new ByteReader(body);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  await reader.readUntil(Buffer.from(`--${boundary}`), MAX_PREAMBLE_BYTES);
  await expectAnotherPart(reader);
  const metadataHeaders = await readPartHeaders(reader);
  if (!/^application\/json\b/i.test(metadataHeaders['content-type'] ?? ''))
    throw new MalformedAnswerError('the first part is not application/json');
  const metadata = parseMetadata(await reader.readUntil(delimiter, MAX_METADATA_BYTES));
  await expectAnotherPart(reader);
  const headers = await readPartHeaders(reader);
  const location = headers.location;
  if (location !== undefined) {
    await reader.close();
    return { metadata, headers, location };
  }
  return { metadata, headers, bytes: reader.streamUntil(delimiter) };
}

/** RFC 2046 §5.1.1: 1 to 70 characters, possibly quoted. */
export function boundaryOf(contentType: string): string {
  const match = /^\s*multipart\/mixed\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))\s*(?:;|$)/i.exec(
    contentType,
  );
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new MalformedAnswerError(`not multipart/mixed with a boundary: ${contentType.slice(0, 100)}`);
  return boundary;
}

/** After a delimiter: transport padding and CRLF for another part, `--` for the end, which is early here. */
async function expectAnotherPart(reader: ByteReader): Promise<void> {
  const rest = await reader.readUntil(CRLF, MAX_HEADER_LINE_BYTES);
  if (rest.subarray(0, 2).toString('latin1') === '--') throw new MalformedAnswerError('the answer has no media part');
  if (!/^[ \t]*$/.test(rest.toString('latin1'))) throw new MalformedAnswerError('garbage after a boundary');
}

async function readPartHeaders(reader: ByteReader): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (let count = 0; count <= MAX_HEADER_LINES; count++) {
    const line = (await reader.readUntil(CRLF, MAX_HEADER_LINE_BYTES)).toString('utf8');
    if (line === '') return headers;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MalformedAnswerError('a part header without a name');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  throw new MalformedAnswerError('too many part headers');
}

function parseMetadata(bytes: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = sjson.parse(bytes.toString('utf8'), undefined, { protoAction: 'remove', constructorAction: 'remove' });
  } catch {
    throw new MalformedAnswerError('the metadata part is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedAnswerError('the metadata part is not a JSON object');
  return value as Record<string, unknown>;
}
