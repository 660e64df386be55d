const EMPTY = Buffer.alloc(0);

/** The peer's body ended, or broke a limit, before it was a well-formed answer. */
export class MalformedAnswerError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'MalformedAnswerError';
  }
}

/**
 * Pulls bytes from a stream on demand and finds delimiters in them, for the multipart reader:
 * bounded reads for headers and small parts, and a streamed read for a body of any size that holds
 * back only as many bytes as a delimiter could straddle.
 */
export class ByteReader {
  private pending: Buffer = EMPTY;
  private readonly source: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** The bytes before `needle` (which is consumed), refused past `limit` bytes. */
  async readUntil(needle: Buffer, limit: number): Promise<Buffer> {
    for (;;) {
      const at = this.pending.indexOf(needle);
      if (at >= 0 && at <= limit) {
        const before = this.pending.subarray(0, at);
        this.pending = this.pending.subarray(at + needle.length);
        return before;
      }
      if (this.pending.length > limit + needle.length)
        throw new MalformedAnswerError(`no delimiter within ${limit} bytes`);
      await this.pull();
    }
  }

  /** Yields the bytes before `needle` as they come, and consumes the needle. */
  async *streamUntil(needle: Buffer): AsyncGenerator<Buffer> {
    for (;;) {
      const at = this.pending.indexOf(needle);
      if (at >= 0) {
        if (at > 0) yield this.pending.subarray(0, at);
        this.pending = this.pending.subarray(at + needle.length);
        return;
      }
      const safe = this.pending.length - (needle.length - 1);
      if (safe > 0) {
        const chunk = this.pending.subarray(0, safe);
        this.pending = this.pending.subarray(safe);
        yield chunk;
      }
      await this.pull();
    }
  }

  /** Whether the next bytes are `prefix` (not consumed); false when the body ends first. */
  async startsWith(prefix: Buffer): Promise<boolean> {
    while (this.pending.length < prefix.length) {
      if (!(await this.tryPull())) return false;
    }
    return this.pending.subarray(0, prefix.length).equals(prefix);
  }

  /** Stops reading the source (the peer's connection is released). */
  async close(): Promise<void> {
    await this.source.return?.();
  }

  private async pull(): Promise<void> {
    if (!(await this.tryPull())) throw new MalformedAnswerError('the body ended early');
  }

  private async tryPull(): Promise<boolean> {
    const next = await this.source.next();
    if (next.done) return false;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    return true;
  }
}
