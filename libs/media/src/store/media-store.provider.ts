import { Logger, type Provider } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { FilesystemMediaStore } from './filesystem-media-store';
import { MEDIA_STORE, type MediaStore } from './media-store';

/**
 * The configured backend behind MEDIA_STORE; `media.store` chooses it. The S3 store is imported
 * only when chosen: the AWS SDK it loads is RSS a server keeping media on its disk need not carry.
 */
export const mediaStoreProvider: Provider = {
  provide: MEDIA_STORE,
  inject: [HEARTH_CONFIG],
  useFactory: async (config: HearthConfig): Promise<MediaStore> => {
    switch (config.media.store) {
      case 'filesystem':
        return new FilesystemMediaStore(config.media.path);
      case 's3':
        return await s3Store(config);
    }
  },
};

async function s3Store(config: HearthConfig): Promise<MediaStore> {
  if (!config.media.s3) throw new Error('media.store is s3 but its settings are missing');
  const { S3MediaStore } = await import('./s3-media-store');
  const store = new S3MediaStore(config.media.s3);
  // in the background: a slow or unreachable bucket must not hold up the start
  void store.clearStaleStaging().catch((error: Error) => {
    new Logger('S3MediaStore').warn(`could not clear stale staged uploads: ${error.message}`);
  });
  return store;
}
