import { Module } from '@nestjs/common';
import { mediaStoreProvider } from './store/media-store.provider';
import { MEDIA_STORE } from './store/media-store';

@Module({
  providers: [mediaStoreProvider],
  exports: [MEDIA_STORE],
})
export class MediaModule {}
