import type { Metadata, Sharp } from 'sharp';
import { mediaErrors } from '../media-errors';
import { sharpImage } from './sharp-package';
import type { ThumbnailSize } from './thumbnail-sizes';

/** A decompression bomb stops here: 8K × 8K is far beyond any photo a client sends. */
const MAX_INPUT_PIXELS = 8192 * 8192;

/** Formats we decode; what libvips could read beyond these (SVG, PDF, TIFF) is not thumbnailed. */
const DECODABLE = new Set(['jpeg', 'png', 'gif', 'webp', 'avif', 'heif']);
/** Formats a browser shows inline: a source this small is served as it is. */
const SERVABLE_AS_IS: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
};

export interface RenderedThumbnail {
  /** Null when the source itself is the answer (smaller than the size asked). */
  readonly bytes: Buffer | null;
  readonly contentType: string;
}

/**
 * Renders one kept size with sharp: `crop` covers the box exactly, `scale` fits inside it, never
 * enlarging. Animation survives only when asked for (as animated WebP, which the spec prefers);
 * JPEG sources give JPEG, others PNG. Undecodable input is a clean 400, never a crash.
 */
export async function renderThumbnail(
  source: Buffer,
  size: ThumbnailSize,
  animatedAsked: boolean,
): Promise<RenderedThumbnail> {
  const metadata = await readMetadata(source);
  const format = metadata.format;
  const animated = animatedAsked && (metadata.pages ?? 1) > 1;
  const frameHeight = metadata.pageHeight ?? metadata.height;
  const smallEnough = metadata.width <= size.width && frameHeight <= size.height;
  const stillWhenAsked = animated || (metadata.pages ?? 1) === 1;
  const asIs = SERVABLE_AS_IS[format];
  if (smallEnough && stillWhenAsked && asIs) return { bytes: null, contentType: asIs };
  try {
    const image = resize(await sharpImage(source, { animated, limitInputPixels: MAX_INPUT_PIXELS }), size, animated);
    if (animated) return { bytes: await image.webp({ quality: 80 }).toBuffer(), contentType: 'image/webp' };
    if (format === 'jpeg') return { bytes: await image.jpeg({ quality: 80 }).toBuffer(), contentType: 'image/jpeg' };
    return { bytes: await image.png().toBuffer(), contentType: 'image/png' };
  } catch (error) {
    throw decodingError(error);
  }
}

async function readMetadata(source: Buffer): Promise<Metadata & { format: string; width: number; height: number }> {
  let metadata: Metadata;
  try {
    metadata = await (await sharpImage(source, { limitInputPixels: MAX_INPUT_PIXELS })).metadata();
  } catch (error) {
    throw decodingError(error);
  }
  const { format, width, height } = metadata;
  if (!format || !DECODABLE.has(format) || !width || !height)
    throw mediaErrors.cannotThumbnail('not an image format we thumbnail');
  if (width * height > MAX_INPUT_PIXELS) throw mediaErrors.imageTooLarge();
  return { ...metadata, format, width, height };
}

function resize(image: Sharp, size: ThumbnailSize, animated: boolean): Sharp {
  // EXIF orientation applies to still photos; frames of an animation carry none
  const oriented = animated ? image : image.rotate();
  return oriented.resize(size.width, size.height, {
    fit: size.method === 'crop' ? 'cover' : 'inside',
    withoutEnlargement: true,
  });
}

function decodingError(error: unknown): Error {
  if (error instanceof Error && /pixel limit/i.test(error.message)) return mediaErrors.imageTooLarge();
  return mediaErrors.cannotThumbnail('the image could not be decoded');
}
