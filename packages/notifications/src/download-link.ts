import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Report links that work without an API key: an e-mail reader or a chat bot cannot send one. The
 * link names one report and an expiry, signed with DOWNLOAD_LINK_SECRET (HMAC-SHA256), which the
 * workers (that write the links) and the API (that serves them) share.
 */
export function downloadLinkPath(secret: string, reportId: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1_000);
  return `/downloads/reports/${reportId}.csv?expires=${expires}&signature=${sign(secret, reportId, expires)}`;
}

/** True when the signature is the secret's for this report and expiry, and the link has not expired. */
export function verifyDownloadLink(secret: string, reportId: string, expires: number, signature: string, now: Date = new Date()): boolean {
  if (!secret || !Number.isSafeInteger(expires) || expires * 1_000 < now.getTime()) return false;
  const expected = Buffer.from(sign(secret, reportId, expires), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sign(secret: string, reportId: string, expires: number): string {
  return createHmac('sha256', secret).update(`report-download:${reportId}:${expires}`).digest('hex');
}
