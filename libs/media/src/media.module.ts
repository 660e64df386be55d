import { Module } from '@nestjs/common';
import { FederationClientModule } from '@hearth/federation-client';
import { MediaAdminRepository } from './admin/media-admin.repository';
import { MediaAdminService } from './admin/media-admin.service';
import { REMOTE_MEDIA_ADMIN } from './admin/remote-media-admin';
import { DownloadService } from './download/download.service';
import { MediaReads } from './download/media-reads';
import { LegacyMediaGate } from './download/legacy-media-gate';
import { FederationMediaService } from './federation/federation-media.service';
import { LocalMediaRepository } from './metadata/local-media.repository';
import { MediaContentRepository } from './metadata/media-content.repository';
import { OwnMediaService } from './owners/own-media.service';
import { RemoteMediaCacheAdmin } from './remote/remote-media-cache-admin';
import { RemoteMediaCachePurge } from './remote/remote-media-cache.purge';
import { RemoteMediaFetcher } from './remote/remote-media-fetcher';
import { RemoteMediaRepository } from './remote/remote-media.repository';
import { RemoteMediaService } from './remote/remote-media.service';
import { PreviewImageStore } from './preview/preview-image-store';
import { UrlPreviewRepository } from './preview/url-preview.repository';
import { UrlPreviewService } from './preview/url-preview.service';
import { MEDIA_STORE } from './store/media-store';
import { mediaStoreProvider } from './store/media-store.provider';
import { ThumbnailService } from './thumbnails/thumbnail.service';
import { UploadLimits } from './upload/upload-limits';
import { UploadService } from './upload/upload.service';

@Module({
  imports: [FederationClientModule],
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
    RemoteMediaRepository,
    RemoteMediaFetcher,
    RemoteMediaService,
    RemoteMediaCachePurge,
    MediaAdminRepository,
    MediaAdminService,
    UrlPreviewRepository,
    PreviewImageStore,
    UrlPreviewService,
    RemoteMediaCacheAdmin,
    { provide: REMOTE_MEDIA_ADMIN, useExisting: RemoteMediaCacheAdmin },
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
    RemoteMediaCachePurge,
    MediaAdminService,
    UrlPreviewService,
  ],
})
export class MediaModule {}
