import { Logger, type Provider } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { FilesystemMediaStore } from './filesystem-media-store';
import { MEDIA_STORE, type MediaStore } from './media-store';
import { S3MediaStore } from './s3-media-store';

/** The configured backend behind MEDIA_STORE; `media.store` chooses it. */
export const mediaStoreProvider: Provider = {
  provide: MEDIA_STORE,
  inject: [HEARTH_CONFIG],
  useFactory: (config: HearthConfig): MediaStore => {
    switch (config.media.store) {
      case 'filesystem':
        return new FilesystemMediaStore(config.media.path);
      case 's3':
        return s3Store(config);
    }
  },
};

function s3Store(config: HearthConfig): MediaStore {
  if (!config.media.s3) throw new Error('media.store is s3 but its settings are missing');
  const store = new S3MediaStore(config.media.s3);
  // in the background: a slow or unreachable bucket must not hold up the start
  void store.clearStaleStaging().catch((error: Error) => {
    new Logger('S3MediaStore').warn(`could not clear stale staged uploads: ${error.message}`);
  });
  return store;
}
