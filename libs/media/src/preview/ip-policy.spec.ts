import { IpPolicy } from './ip-policy';

describe('IpPolicy', () => {
  const defaults = new IpPolicy({ blockedIpRanges: [], allowedIpRanges: [] });

  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::1',
    '198.18.0.1',
    'not an address',
  ])('refuses %s by default', (address) => {
    expect(defaults.isAllowed(address)).toBe(false);
  });

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.216.34'])(
    'lets the public address %s through',
    (address) => {
      expect(defaults.isAllowed(address)).toBe(true);
    },
  );

  it("refuses the operator's ranges too, and lets its allowed ranges through whatever else says", () => {
    const policy = new IpPolicy({
      blockedIpRanges: ['93.184.0.0/16', '2606:4700::/32'],
      allowedIpRanges: ['127.0.0.1', '10.0.0.0/8'],
    });
    expect(policy.isAllowed('93.184.216.34')).toBe(false);
    expect(policy.isAllowed('2606:4700:4700::1111')).toBe(false);
    expect(policy.isAllowed('1.1.1.1')).toBe(true);
    expect(policy.isAllowed('127.0.0.1')).toBe(true);
    expect(policy.isAllowed('::ffff:127.0.0.1')).toBe(true);
    expect(policy.isAllowed('127.0.0.2')).toBe(false);
    expect(policy.isAllowed('10.9.8.7')).toBe(true);
  });
});
