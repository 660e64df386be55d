import type { Sharp, SharpOptions } from 'sharp';

/**
 * An image in sharp. sharp is imported on the first image rather than at start: with its libvips
 * it is ~8 MB of RSS that a server nobody sends images to need not carry.
 */
export async function sharpImage(input: Buffer, options: SharpOptions): Promise<Sharp> {
  const { default: sharp } = await import('sharp');
  return sharp(input, options);
}
