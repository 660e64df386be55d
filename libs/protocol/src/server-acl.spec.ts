import { serverAclAllows } from './server-acl';

describe('server ACLs (spec "Server Access Control Lists")', () => {
  const acl = { allow: ['*'], deny: ['*.evil.com', 'evil.com'], allow_ip_literals: false };

  it('follows the spec example: everyone but evil.com, its subdomains and IP literals', () => {
    expect(serverAclAllows(acl, 'good.example')).toBe(true);
    expect(serverAclAllows(acl, 'good.example:8448')).toBe(true);
    expect(serverAclAllows(acl, 'evil.com')).toBe(false);
    expect(serverAclAllows(acl, 'evil.com:443')).toBe(false);
    expect(serverAclAllows(acl, 'sub.evil.com')).toBe(false);
    expect(serverAclAllows(acl, 'EVIL.COM')).toBe(false);
    expect(serverAclAllows(acl, '1.2.3.4')).toBe(false);
    expect(serverAclAllows(acl, '[::1]:8448')).toBe(false);
  });

  it('allows nobody without an allow list, and IP literals unless they are turned off', () => {
    expect(serverAclAllows({ deny: [] }, 'good.example')).toBe(false);
    expect(serverAclAllows({ allow: ['*'] }, '127.0.0.1:8448')).toBe(true);
    expect(serverAclAllows({ allow: ['*'], deny: ['127.0.0.1'] }, '127.0.0.1:8448')).toBe(false);
  });

  it('matches ? as one character and nothing else as a pattern', () => {
    expect(serverAclAllows({ allow: ['server?.example'] }, 'server1.example')).toBe(true);
    expect(serverAclAllows({ allow: ['server?.example'] }, 'server12.example')).toBe(false);
    expect(serverAclAllows({ allow: ['a.b'] }, 'axb')).toBe(false);
  });
});
