import { chooseThumbnailSize, thumbnailRequest } from './thumbnail-sizes';

describe('chooseThumbnailSize', () => {
  it.each([
    [32, 32, 'crop', '32x32 crop'],
    [50, 50, 'crop', '96x96 crop'],
    [96, 96, 'crop', '96x96 crop'],
    [200, 200, 'crop', '320x240 scale'],
    [300, 200, 'scale', '320x240 scale'],
    [321, 200, 'scale', '640x480 scale'],
    [64, 64, 'scale', '320x240 scale'],
    [800, 600, 'scale', '800x600 scale'],
    [2000, 2000, 'scale', '800x600 scale'],
    [2000, 2000, 'crop', '800x600 scale'],
  ] as const)('%dx%d %s gets %s', (width, height, method, expected) => {
    const size = chooseThumbnailSize(width, height, method);
    expect(`${size.width}x${size.height} ${size.method}`).toBe(expected);
  });
});

describe('thumbnailRequest', () => {
  it('reads width, height, method (default scale) and animated', () => {
    expect(thumbnailRequest({ width: '64', height: '48' })).toEqual({
      width: 64,
      height: 48,
      method: 'scale',
      animated: false,
    });
    expect(thumbnailRequest({ width: '1', height: '1', method: 'crop', animated: 'true' }).animated).toBe(true);
  });

  it('refuses what the spec calls nonsense', () => {
    expect(() => thumbnailRequest({ height: '1' })).toThrow('width is required');
    expect(() => thumbnailRequest({ width: '1.5', height: '1' })).toThrow('positive integer');
    expect(() => thumbnailRequest({ width: '1', height: '1', method: 'zoom' })).toThrow('crop or scale');
    expect(() => thumbnailRequest({ width: '1', height: '1', animated: 'yes' })).toThrow('true or false');
    expect(() => thumbnailRequest({ width: ['1', '2'], height: '1' })).toThrow('positive integer');
  });
});
