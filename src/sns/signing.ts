/**
 * SNS message signatures, made for real.
 *
 * AWS signs every JSON message it delivers (Notification, SubscriptionConfirmation,
 * UnsubscribeConfirmation) with an RSA key and names, in SigningCertURL, the X.509 certificate
 * that holds the public half. Switchyard does the same with its own key: an RSA-2048 pair made in
 * the background on first use (crypto.generateKeyPair runs on libuv's thread pool,
 * so server start does not wait for it), and a self-signed certificate over it, served at
 * SIGNING_CERT_PATH on Switchyard's own host. A subscriber that checks signatures (sns-validator,
 * the AWS SDKs' validators, openssl) then verifies Switchyard's messages exactly as it verifies
 * AWS's, once it trusts Switchyard's host for the certificate.
 * (The key pair is made on first use, not at start: see SnsSigner.create.)
 *
 * The string to sign is AWS's ("Verifying the signatures of Amazon SNS messages"): a fixed list
 * of fields per message type, in that order, each as "Key\nValue\n".
 *  - Notification: Message, MessageId, Subject (only when the message has one), Timestamp,
 *    TopicArn, Type.
 *  - SubscriptionConfirmation, UnsubscribeConfirmation: Message, MessageId, SubscribeURL,
 *    Timestamp, Token, TopicArn, Type.
 * SignatureVersion '1' is RSASSA-PKCS1-v1_5 over SHA-1, '2' the same over SHA-256.
 *
 * Node can sign but cannot make a certificate, so the certificate is laid out by node-forge (pure
 * JS, no dependencies, synchronous), imported in the background beside key generation so that
 * importing this module costs server start nothing. Every RSA signature, the certificate's own and
 * each message's, is made by Node's crypto (OpenSSL), not by forge's JavaScript RSA.
 *
 * The certificate doubles as a TLS server certificate (subjectAltName localhost, 127.0.0.1, ::1
 * and the common name), so the same key and certificate can serve SigningCertURL over HTTPS:
 * sns-validator fetches certificates with https.get only.
 */
import { constants, generateKeyPair, privateEncrypt, randomBytes, sign as rsaSign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import type { pki } from 'node-forge';

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** Where Switchyard serves the signing certificate, on its own host (AWS: /SimpleNotificationService-<hash>.pem). */
export const SIGNING_CERT_PATH = '/_switchyard/sns/SimpleNotificationService-switchyard.pem';

/** The common name (and a subjectAltName) of the certificate when none is given. */
export const DEFAULT_SIGNING_CERT_CN = 'sns.switchyard.local';

const RSA_BITS = 2048;
const CERT_LIFETIME_MS = 10 * 365 * 24 * 3600_000;
/** notBefore is set back by this much, for a subscriber whose clock is behind ours. */
const CLOCK_SKEW_MS = 24 * 3600_000;

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;
const SIGNED_KEYS: Record<SnsMessageType, readonly string[]> = {
  Notification: NOTIFICATION_KEYS,
  SubscriptionConfirmation: CONFIRMATION_KEYS,
  UnsubscribeConfirmation: CONFIRMATION_KEYS,
};

/**
 * The fields AWS signs, in AWS's order, as AWS documents ("Verifying the signatures of Amazon SNS
 * messages"). Subject is left out when the message has none (undefined); every other field must
 * be there: a message without one could never verify, so that is a bug in the caller and throws.
 */
export function stringToSign(message: Record<string, string | undefined>): string {
  const type = message.Type;
  const keys = type !== undefined && Object.hasOwn(SIGNED_KEYS, type) ? SIGNED_KEYS[type as SnsMessageType] : undefined;
  if (!keys) throw new Error(`switchyard: cannot sign an SNS message of Type ${JSON.stringify(type)}`);
  let out = '';
  for (const key of keys) {
    const value = message[key];
    if (value === undefined) {
      if (key === 'Subject') continue;
      throw new Error(`switchyard: an SNS ${type} to sign has no ${key}`);
    }
    out += `${key}\n${value}\n`;
  }
  return out;
}

interface KeyMaterial {
  privateKey: KeyObject;
  certificatePem: string;
}

export class SnsSigner {
  private made: Promise<KeyMaterial> | undefined;

  private constructor(private readonly commonName: string) {}

  /**
   * The key is made on first use (the first signed message, HTTPS connection or certificate
   * fetch), not at start: most runs never sign anything, and node-forge plus the key cost about
   * 4 MB of an idle server's memory. The first use waits for it once (tens of milliseconds).
   */
  static create(opts: { commonName?: string } = {}): SnsSigner {
    return new SnsSigner(opts.commonName ?? DEFAULT_SIGNING_CERT_CN);
  }

  private get material(): Promise<KeyMaterial> {
    if (!this.made) {
      this.made = makeKeyMaterial(this.commonName);
      // A failure is reported to whoever awaits the key; until then it is no unhandled rejection.
      this.made.catch(() => {});
    }
    return this.made;
  }

  /** PEM of the self-signed certificate (awaits key generation). */
  async certificatePem(): Promise<string> {
    return (await this.material).certificatePem;
  }

  /**
   * The same key and certificate as TLS server credentials (`https.createServer(await
   * signer.tlsCredentials())`): sns-validator fetches SigningCertURL with https.get only, so a
   * subscriber using it needs the certificate served over HTTPS; a client given this certificate
   * as its CA (https.globalAgent.options.ca, NODE_EXTRA_CA_CERTS) then trusts the connection.
   */
  async tlsCredentials(): Promise<{ key: string; cert: string }> {
    const { privateKey, certificatePem } = await this.material;
    return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: certificatePem };
  }

  /** base64 signature of stringToSign(message): SignatureVersion '1' = SHA1withRSA, '2' = SHA256withRSA. */
  async sign(message: Record<string, string | undefined>, version: '1' | '2'): Promise<string> {
    if (version !== '1' && version !== '2') throw new Error(`switchyard: SNS SignatureVersion ${JSON.stringify(version)} is not supported`);
    const data = Buffer.from(stringToSign(message), 'utf8');
    const { privateKey } = await this.material;
    // An RSA key signs with PKCS#1 v1.5 padding by default, which is what SNS uses.
    return rsaSign(version === '1' ? 'sha1' : 'sha256', data, privateKey).toString('base64');
  }
}

async function makeKeyMaterial(commonName: string): Promise<KeyMaterial> {
  const [{ publicKey, privateKey }, { default: forge }] = await Promise.all([
    new Promise<{ publicKey: KeyObject; privateKey: KeyObject }>((resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: RSA_BITS, publicExponent: 0x10001 }, (err, publicKey, privateKey) =>
        err ? reject(err) : resolve({ publicKey, privateKey }),
      ),
    ),
    import('node-forge'),
  ]);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string);
  cert.serialNumber = serialNumberHex();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - CLOCK_SKEW_MS);
  cert.validity.notAfter = new Date(now + CERT_LIFETIME_MS);
  const name = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'Switchyard' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  const altNames: { type: number; value?: string; ip?: string }[] = [];
  for (const host of new Set([commonName, 'localhost', '127.0.0.1', '::1'])) {
    // GeneralName: 2 = dNSName, 7 = iPAddress.
    altNames.push(isIP(host) ? { type: 7, ip: host } : { type: 2, value: host });
  }
  cert.setExtensions([
    // An end-entity certificate, as AWS's signing certificates are; a TLS client that is given it
    // as its CA (Node's `ca`, curl's --cacert) accepts it as its own trust anchor all the same.
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(nativeRsaKey(privateKey), forge.md.sha256.create());
  return { privateKey, certificatePem: forge.pki.certificateToPem(cert) };
}

/** DER of DigestInfo { sha256, NULL } up to the 32-byte digest (RFC 8017 §9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * The private key as node-forge's certificate signer sees it: `cert.sign(key, md)` hashes the
 * TBSCertificate into `md` and calls `key.sign(md)` for the RSASSA-PKCS1-v1_5 signature, as a
 * binary string. forge's own RSA is pure JavaScript (35-90 ms of main-thread work for one 2048-bit
 * signature here); this makes the same signature with OpenSSL in well under a millisecond.
 */
function nativeRsaKey(privateKey: KeyObject): pki.rsa.PrivateKey {
  const signer: Pick<pki.rsa.PrivateKey, 'sign'> = {
    sign(md) {
      if (typeof md === 'string' || md.algorithm !== 'sha256') throw new Error('switchyard: certificate signer expects a SHA-256 digest');
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      const signature = privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]));
      return signature.toString('binary');
    },
  };
  return signer as pki.rsa.PrivateKey;
}

/** A random positive 128-bit serial, minimally encoded: first byte 0x40..0x7f. */
function serialNumberHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x3f) | 0x40;
  return bytes.toString('hex');
}
