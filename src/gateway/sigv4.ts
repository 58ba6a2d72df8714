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

const CREDENTIAL = /Credential=([^/,\s]{1,128})\/(\d{8})\/([a-z0-9-]{1,32})\/([a-z0-9-]{1,32})\/aws4_request/;

export function parseCredentialScope(authorization: string | string[] | undefined): CredentialScope | undefined {
  if (typeof authorization !== 'string' || authorization.length > 8192) return undefined;
  const m = CREDENTIAL.exec(authorization);
  if (!m) return undefined;
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4] };
}
