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
