/**
 * The archive's format (docs/export.md). Bump the version when a file changes meaning or
 * shape; adding a file is not a change of version.
 */
export const EXPORT_FORMAT = 'org.hearth.export';
export const EXPORT_FORMAT_VERSION = 1;

/** Archives are deleted this long after they are ready (issue 21: "expiring after 7 days"). */
export const EXPORT_LIFETIME_MS = 7 * 24 * 3600 * 1000;

/** Room IDs hold `!` and `:`; the file name is the percent-encoded ID. */
export function roomFileName(roomId: string): string {
  return `rooms/${encodeURIComponent(roomId)}.jsonl`;
}
