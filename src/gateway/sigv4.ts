/**
 * What Switchyard reads from a SigV4 Authorization header: the access key (which may select the
 * account) and the credential scope's region and service. Signatures are not verified.
 */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const PART = /^[A-Za-z0-9-]{1,64}$/;

export function parseCredentialScope(authorization: string | string[] | undefined): CredentialScope | undefined {
  if (typeof authorization !== 'string' || authorization.length > 8192) return undefined;
  // indexOf and split rather than one regex over the whole header: this runs on every request.
  const at = authorization.indexOf('Credential=');
  if (at < 0) return undefined;
  let end = authorization.indexOf(',', at);
  if (end < 0) end = authorization.length;
  const parts = authorization.slice(at + 11, end).trim().split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = parts;
  if (accessKeyId.length === 0 || accessKeyId.length > 128 || !/^\d{8}$/.test(date) || !PART.test(region) || !PART.test(service))
    return undefined;
  return { accessKeyId, date, region, service };
}
