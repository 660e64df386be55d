import type { Provider } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { FilesystemMediaStore } from './filesystem-media-store';
import { MEDIA_STORE, type MediaStore } from './media-store';

/** The configured backend behind MEDIA_STORE; `media.store` chooses it (S3 slots in here). */
export const mediaStoreProvider: Provider = {
  provide: MEDIA_STORE,
  inject: [HEARTH_CONFIG],
  useFactory: (config: HearthConfig): MediaStore => {
    switch (config.media.store) {
      case 'filesystem':
        return new FilesystemMediaStore(config.media.path);
    }
  },
};
