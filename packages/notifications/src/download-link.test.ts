import { downloadLinkPath, verifyDownloadLink } from './download-link.js';

const reportId = '3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f';

function parts(path: string) {
  const url = new URL(path, 'https://monitoring.example.com');
  return { expires: Number(url.searchParams.get('expires')), signature: url.searchParams.get('signature')! };
}

describe('signed download links', () => {
  const expiresAt = new Date(Date.now() + 3_600_000);

  it('verify for their report until they expire', () => {
    const { expires, signature } = parts(downloadLinkPath('secret-a', reportId, expiresAt));
    expect(verifyDownloadLink('secret-a', reportId, expires, signature)).toBe(true);
    expect(verifyDownloadLink('secret-a', reportId, expires, signature, new Date(expiresAt.getTime() + 2_000))).toBe(false);
  });

  it('do not verify for another report, expiry or secret, or when forged', () => {
    const { expires, signature } = parts(downloadLinkPath('secret-a', reportId, expiresAt));
    expect(verifyDownloadLink('secret-a', '00000000-0000-4000-8000-000000000000', expires, signature)).toBe(false);
    expect(verifyDownloadLink('secret-a', reportId, expires + 1, signature)).toBe(false);
    expect(verifyDownloadLink('secret-b', reportId, expires, signature)).toBe(false);
    expect(verifyDownloadLink('secret-a', reportId, expires, 'abc')).toBe(false);
    expect(verifyDownloadLink('', reportId, expires, signature)).toBe(false);
  });
});
