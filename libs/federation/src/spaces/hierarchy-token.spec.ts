import { MatrixError } from '@hearth/http';
import { decodeHierarchyToken, encodeHierarchyToken } from './hierarchy-token';

describe('hierarchy page tokens', () => {
  const request = { roomId: '!space:hearth.test', maxDepth: 3, suggestedOnly: false };

  it('carry the rooms shown, bound to the space and the filters', () => {
    const token = encodeHierarchyToken({ ...request, skip: 20 });
    expect(decodeHierarchyToken(token, request, 1000)).toBe(20);
  });

  it.each([
    ['another space', { ...request, roomId: '!other:hearth.test' }, 'Unknown pagination token'],
    ['another max_depth', { ...request, maxDepth: 4 }, 'suggested_only and max_depth cannot change'],
    ['suggested_only turned on', { ...request, suggestedOnly: true }, 'suggested_only and max_depth cannot change'],
  ])('refuse %s', (_case, asked, message) => {
    const token = encodeHierarchyToken({ ...request, skip: 2 });
    expect(() => decodeHierarchyToken(token, asked, 1000)).toThrow(message);
  });

  it.each(['', 'garbage', 'h1_-1_3_a_xxxxxxxxxxx', 'h1_1001_3_a_' + 'x'.repeat(11)])('refuse %p', (token) => {
    let error: unknown;
    try {
      decodeHierarchyToken(token, request, 1000);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MatrixError);
    expect((error as MatrixError).errcode).toBe('M_INVALID_PARAM');
  });

  it('refuse a skip beyond the walk limit', () => {
    const token = encodeHierarchyToken({ ...request, skip: 1001 });
    expect(() => decodeHierarchyToken(token, request, 1000)).toThrow('Unknown pagination token');
  });
});
