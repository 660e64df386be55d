/** One media ID our users created: uploaded, or (asynchronous upload) still waiting for its bytes. */
export interface LocalMedia {
  readonly mediaId: string;
  readonly uploader: string;
  readonly contentType: string | null;
  readonly uploadName: string | null;
  readonly size: number | null;
  /** The stored blob; null while an asynchronous upload waits for its bytes. */
  readonly sha256: string | null;
  readonly createdTs: number;
  readonly uploadedTs: number | null;
  /** When a still-empty asynchronous upload lapses; null once uploaded. */
  readonly unusedExpiresTs: number | null;
  /** When an admin quarantined it (then it is served to no one); null otherwise. */
  readonly quarantinedTs: number | null;
}

export interface UploadedMedia extends LocalMedia {
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string;
}

export function isUploaded(media: LocalMedia): media is UploadedMedia {
  return media.sha256 !== null;
}

/** What an upload stored: its blob and how the uploader described it. */
export interface UploadedContent {
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string;
  readonly uploadName: string | null;
}
