import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_HTTP: plain http for local use. */
  allowHttp: boolean;
  /** WEBHOOK_ALLOW_PRIVATE: loopback, private and link-local addresses (a local receiver); never a cloud-metadata address. */
  allowPrivate: boolean;
}

/** Resolves a host name to every address it has (injectable so rebinding can be exercised). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
};

/** A webhook target the policy refuses; the message says why, for the owner. */
export class UnsafeTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeTargetError';
  }
}

export interface SafeTarget {
  url: URL;
  /** The address the connection must use: the one that was checked. */
  address: string;
  family: 4 | 6;
}

/**
 * Only public unicast addresses pass: ipaddr.js names every special range (loopback, private,
 * link-local with the cloud metadata address, unique local, carrier-grade NAT, multicast,
 * reserved, …) and anything but `unicast` is refused. An IPv4-mapped IPv6 address is judged as
 * the IPv4 address it carries.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/**
 * The cloud providers' instance-metadata services (AWS, GCP, Azure, OpenStack: 169.254.169.254;
 * ECS task metadata: 169.254.170.2; Alibaba: 100.100.100.200; AWS over IPv6: fd00:ec2::254). A
 * webhook there would hand the instance's credentials to whoever set the URL: refused whatever
 * WEBHOOK_ALLOW_PRIVATE says.
 */
const METADATA_ADDRESSES = ['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254'].map((address) => ipaddr.parse(address).toNormalizedString());

/** Whether an address is a cloud-metadata service's, also written as an IPv4-mapped IPv6 address. */
export function isMetadataAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return METADATA_ADDRESSES.includes(parsed.toNormalizedString());
}

/** Checks the URL's form: scheme, no credentials, a host. Done at creation without DNS as well. */
export function checkWebhookUrl(raw: string, policy: TargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeTargetError('url: is not a valid URL');
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    throw new UnsafeTargetError(policy.allowHttp ? 'url: must be http or https' : 'url: must be https (http only when WEBHOOK_ALLOW_HTTP=true)');
  }
  if (url.username || url.password) throw new UnsafeTargetError('url: must not carry credentials; authenticate the signature instead');
  if (!url.hostname) throw new UnsafeTargetError('url: has no host');
  return url;
}

/**
 * Resolves the target and checks every address it resolves to; the caller connects to the
 * returned address only, so a DNS answer that changes between check and connection (rebinding)
 * cannot reach another host. Runs at creation and again before every delivery.
 */
export async function resolveSafeTarget(raw: string, policy: TargetPolicy, resolve: Resolver = systemResolver): Promise<SafeTarget> {
  const url = checkWebhookUrl(raw, policy);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = isIP(host);
  let answers: { address: string; family: 4 | 6 }[];
  if (literal) {
    answers = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      answers = await resolve(host);
    } catch (error) {
      throw new TargetUnreachableError(`url: ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  if (answers.length === 0) throw new TargetUnreachableError(`url: ${host} has no address`);
  const metadata = answers.find((answer) => isMetadataAddress(answer.address));
  if (metadata) throw new UnsafeTargetError(`url: ${host} resolves to ${metadata.address}, a cloud-metadata address, which is never a webhook target`);
  if (!policy.allowPrivate) {
    const refused = answers.find((answer) => !isPublicAddress(answer.address));
    if (refused) {
      throw new UnsafeTargetError(`url: ${host} resolves to ${refused.address}, a loopback, private, link-local or otherwise non-public address (allowed only with WEBHOOK_ALLOW_PRIVATE=true)`);
    }
  }
  const [first] = answers;
  return { url, address: first!.address, family: first!.family };
}

/** DNS gave no answer: worth retrying, unlike a refused target. */
export class TargetUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnreachableError';
  }
}
