import { addressGroup, addressTag } from './sign-in-address';

describe('sign-in address groups', () => {
  it('counts an IPv4 address as itself, also when written as IPv6', () => {
    expect(addressGroup('192.0.2.7')).toBe('192.0.2.7');
    expect(addressGroup('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressGroup('::FFFF:192.0.2.7')).toBe('192.0.2.7');
  });

  it('counts an IPv6 address by its /64, whatever its spelling', () => {
    const group = '2001:db8:85a3:0::/64';
    for (const spelling of ['2001:db8:85a3::1', '2001:0db8:85a3:0000:ffff:ffff:ffff:ffff', '2001:DB8:85A3:0:1:2:3:4', '2001:db8:85a3::192.0.2.1']) {
      expect({ spelling, group: addressGroup(spelling) }).toEqual({ spelling, group });
    }
    expect(addressGroup('2001:db8:85a4::1')).not.toBe(group);
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('tags a group with a keyed hash: the address itself is never kept', () => {
    const key = Buffer.alloc(32, 1);
    expect(addressTag(key, '2001:db8::1').equals(addressTag(key, '2001:db8::2'))).toBe(true);
    expect(addressTag(key, '192.0.2.7').equals(addressTag(key, '192.0.2.8'))).toBe(false);
    expect(addressTag(Buffer.alloc(32, 2), '192.0.2.7').equals(addressTag(key, '192.0.2.7'))).toBe(false);
  });
});
