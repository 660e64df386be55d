import { MatrixError } from '@hearth/http';

export type ThumbnailMethod = 'crop' | 'scale';

export interface ThumbnailSize {
  readonly width: number;
  readonly height: number;
  readonly method: ThumbnailMethod;
}

/** Spec "Thumbnails" and Synapse's default `thumbnail_sizes`: the only sizes we compute and keep. */
export const THUMBNAIL_SIZES: readonly ThumbnailSize[] = [
  { width: 32, height: 32, method: 'crop' },
  { width: 96, height: 96, method: 'crop' },
  { width: 320, height: 240, method: 'scale' },
  { width: 640, height: 480, method: 'scale' },
  { width: 800, height: 600, method: 'scale' },
];

/**
 * The kept size that serves a request: the smallest of the asked method at least as large as
 * asked (the spec never returns smaller than asked), else the largest of that method. As in
 * Synapse, a size of the other method stands in when it is larger than anything of the asked one.
 */
export function chooseThumbnailSize(width: number, height: number, method: ThumbnailMethod): ThumbnailSize {
  const fits = (size: ThumbnailSize) => size.width >= width && size.height >= height;
  const byArea = [...THUMBNAIL_SIZES].sort((a, b) => a.width * a.height - b.width * b.height);
  return (
    byArea.find((size) => size.method === method && fits(size)) ??
    byArea.find(fits) ??
    (byArea[byArea.length - 1] as ThumbnailSize)
  );
}

/** The request's width, height, method and animated, checked as the spec's 400 describes. */
export function thumbnailRequest(query: unknown): {
  width: number;
  height: number;
  method: ThumbnailMethod;
  animated: boolean;
} {
  const params = (query ?? {}) as Record<string, unknown>;
  const width = dimension(params.width, 'width');
  const height = dimension(params.height, 'height');
  const method = params.method ?? 'scale';
  if (method !== 'crop' && method !== 'scale') throw MatrixError.invalidParam('method must be crop or scale');
  const animated = params.animated;
  if (animated !== undefined && animated !== 'true' && animated !== 'false')
    throw MatrixError.invalidParam('animated must be true or false');
  return { width, height, method, animated: animated === 'true' };
}

function dimension(value: unknown, name: string): number {
  if (value === undefined) throw MatrixError.missingParam(`${name} is required`);
  const number = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(number > 0)) throw MatrixError.invalidParam(`${name} must be a positive integer`);
  return number;
}
