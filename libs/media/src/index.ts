export {
  ContentMissingError,
  ContentTooLargeError,
  isContentHash,
  MEDIA_STORE,
  type ByteRange,
  type MediaStore,
  type PutContent,
  type PutOptions,
} from './store/media-store';
export { FilesystemMediaStore } from './store/filesystem-media-store';
export { MediaModule } from './media.module';
export { UploadService, type UploadRequest } from './upload/upload.service';
export { UploadLimits } from './upload/upload-limits';
export { uploadFileName } from './upload/upload-description';
export { DownloadService, waitFrom, type DownloadOptions } from './download/download.service';
export { sendMedia } from './download/media-reply';
export { MediaReads } from './download/media-reads';
export { LegacyMediaGate } from './download/legacy-media-gate';
export type { ServedMedia } from './download/served-media';
export { ThumbnailService, type ThumbnailRequest } from './thumbnails/thumbnail.service';
export { thumbnailRequest, THUMBNAIL_SIZES } from './thumbnails/thumbnail-sizes';
export { OwnMediaService, type OwnMediaPage } from './owners/own-media.service';
export { FederationMediaService } from './federation/federation-media.service';
export { sendMultipartMedia } from './federation/multipart-media-reply';
export { RemoteMediaCachePurge } from './remote/remote-media-cache.purge';
export { MediaAdminService, type DeletedMediaReply } from './admin/media-admin.service';
export { userMediaOrder, type UserMediaOrder } from './admin/user-media-order';
export { REMOTE_MEDIA_ADMIN, type RemoteMediaAdmin } from './admin/remote-media-admin';
export { UrlPreviewService } from './preview/url-preview.service';
export type { OpenGraph } from './preview/open-graph';
