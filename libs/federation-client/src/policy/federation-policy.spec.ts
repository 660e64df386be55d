import { buildConfig } from '@hearth/config';
import { FederationPolicy, matchesServerPattern } from './federation-policy';

describe('federation allow and deny lists', () => {
  it('matches exact names and *.domain patterns, case-insensitively, with any port under a domain', () => {
    expect(matchesServerPattern('partner.example', 'partner.example')).toBe(true);
    expect(matchesServerPattern('partner.example', 'PARTNER.example')).toBe(true);
    expect(matchesServerPattern('partner.example:8448', 'partner.example')).toBe(false);
    expect(matchesServerPattern('chat.partner.example', '*.partner.example')).toBe(true);
    expect(matchesServerPattern('chat.partner.example:8448', '*.partner.example')).toBe(true);
    expect(matchesServerPattern('partner.example', '*.partner.example')).toBe(false);
    expect(matchesServerPattern('evilpartner.example', '*.partner.example')).toBe(false);
  });

  it('lets everyone in without an allow-list, only the listed with one, and never the denied', () => {
    const open = new FederationPolicy(buildConfig({ federation: { deny: ['bad.example'] } }));
    expect(open.allows('anyone.example')).toBe(true);
    expect(open.allows('bad.example')).toBe(false);
    const closed = new FederationPolicy(
      buildConfig({ federation: { allow: ['*.partner.example', 'friend.example'], deny: ['x.partner.example'] } }),
    );
    expect(closed.allows('friend.example')).toBe(true);
    expect(closed.allows('a.partner.example')).toBe(true);
    expect(closed.allows('x.partner.example')).toBe(false);
    expect(closed.allows('stranger.example')).toBe(false);
  });
});
