import { Module } from '@nestjs/common';
import { MediaAdminRepository } from './admin/media-admin.repository';
import { MediaAdminService } from './admin/media-admin.service';
import { NO_REMOTE_MEDIA_CACHE, REMOTE_MEDIA_ADMIN } from './admin/remote-media-admin';
import { DownloadService } from './download/download.service';
import { MediaReads } from './download/media-reads';
import { LegacyMediaGate } from './download/legacy-media-gate';
import { FederationMediaService } from './federation/federation-media.service';
import { LocalMediaRepository } from './metadata/local-media.repository';
import { MediaContentRepository } from './metadata/media-content.repository';
import { OwnMediaService } from './owners/own-media.service';
import { PreviewImageStore } from './preview/preview-image-store';
import { UrlPreviewRepository } from './preview/url-preview.repository';
import { UrlPreviewService } from './preview/url-preview.service';
import { MEDIA_STORE } from './store/media-store';
import { mediaStoreProvider } from './store/media-store.provider';
import { ThumbnailService } from './thumbnails/thumbnail.service';
import { UploadLimits } from './upload/upload-limits';
import { UploadService } from './upload/upload.service';

@Module({
  providers: [
    mediaStoreProvider,
    LocalMediaRepository,
    MediaContentRepository,
    UploadLimits,
    UploadService,
    DownloadService,
    MediaReads,
    LegacyMediaGate,
    ThumbnailService,
    OwnMediaService,
    FederationMediaService,
    MediaAdminRepository,
    MediaAdminService,
    UrlPreviewRepository,
    PreviewImageStore,
    UrlPreviewService,
    // the remote media cache binds its own implementation here when it lands
    { provide: REMOTE_MEDIA_ADMIN, useValue: NO_REMOTE_MEDIA_CACHE },
  ],
  exports: [
    MEDIA_STORE,
    UploadService,
    UploadLimits,
    DownloadService,
    MediaReads,
    LegacyMediaGate,
    ThumbnailService,
    OwnMediaService,
    FederationMediaService,
    MediaAdminService,
    UrlPreviewService,
  ],
})
export class MediaModule {}
