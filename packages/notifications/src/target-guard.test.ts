import { UnsafeTargetError, isMetadataAddress, isPublicAddress, resolveSafeTarget, type Resolver } from './target-guard.js';

const strict = { allowHttp: false, allowPrivate: false };

describe('webhook target guard', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '224.0.0.1', '255.255.255.255'])(
    '%s is not public',
    (address) => {
      expect(isPublicAddress(address)).toBe(false);
    },
  );

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('needs https unless plain http is allowed', async () => {
    await expect(resolveSafeTarget('http://93.184.216.34/hook', strict)).rejects.toThrow(/must be https/);
    await expect(resolveSafeTarget('ftp://93.184.216.34/hook', { ...strict, allowHttp: true })).rejects.toThrow(/http or https/);
    await expect(resolveSafeTarget('http://93.184.216.34/hook', { ...strict, allowHttp: true })).resolves.toMatchObject({ address: '93.184.216.34' });
  });

  it.each(['https://127.0.0.1/hook', 'https://[::1]/hook', 'https://2130706433/hook', 'https://0x7f.1/hook', 'https://[::ffff:7f00:1]/hook', 'https://169.254.169.254/latest/meta-data'])(
    'refuses the loopback or metadata address in %s',
    async (url) => {
      await expect(resolveSafeTarget(url, strict)).rejects.toBeInstanceOf(UnsafeTargetError);
    },
  );

  it('refuses a name with any private answer, and pins the checked address', async () => {
    const rebinding: Resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await expect(resolveSafeTarget('https://hooks.example.com/x', strict, rebinding)).rejects.toThrow(/10\.0\.0\.5/);
    const publicOnly: Resolver = async () => [{ address: '93.184.216.34', family: 4 }];
    await expect(resolveSafeTarget('https://hooks.example.com/x', strict, publicOnly)).resolves.toMatchObject({ address: '93.184.216.34', family: 4 });
  });

  it('allows private targets only when told to', async () => {
    await expect(resolveSafeTarget('http://127.0.0.1:8080/hook', { allowHttp: true, allowPrivate: true })).resolves.toMatchObject({ address: '127.0.0.1' });
  });

  const allowPrivate = { allowHttp: true, allowPrivate: true };

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://169.254.170.2/v2/credentials',
    'http://100.100.100.200/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[fd00:ec2:0:0:0:0:0:254]/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://[::ffff:a9fe:aa02]/v2/credentials',
    'http://[::ffff:100.100.100.200]/latest/meta-data/',
  ])('refuses the cloud-metadata address in %s even with WEBHOOK_ALLOW_PRIVATE', async (url) => {
    await expect(resolveSafeTarget(url, allowPrivate)).rejects.toThrow(/cloud-metadata address/);
  });

  it('refuses a name that resolves to a metadata address even with WEBHOOK_ALLOW_PRIVATE, checked after DNS', async () => {
    const toMetadata: Resolver = async () => [{ address: '::ffff:169.254.170.2', family: 6 }];
    await expect(resolveSafeTarget('http://metadata.internal/x', allowPrivate, toMetadata)).rejects.toThrow(/resolves to ::ffff:169\.254\.170\.2, a cloud-metadata address/);
    const toLocal: Resolver = async () => [{ address: '192.168.1.20', family: 4 }];
    await expect(resolveSafeTarget('http://receiver.local/x', allowPrivate, toLocal)).resolves.toMatchObject({ address: '192.168.1.20' });
  });

  it('tells metadata addresses from their neighbours', () => {
    expect(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254', '::ffff:169.254.169.254'].every(isMetadataAddress)).toBe(true);
    expect(['169.254.169.253', '100.100.100.201', 'fd00:ec2::253', '10.0.0.1', 'not an address'].some(isMetadataAddress)).toBe(false);
  });

  it('refuses credentials in the URL', async () => {
    await expect(resolveSafeTarget('https://user:pw@93.184.216.34/', strict)).rejects.toThrow(/credentials/);
  });
});
