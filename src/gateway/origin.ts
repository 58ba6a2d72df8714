/**
 * Requests a web page makes, refused unless they come from Switchyard's own pages or an origin
 * the user allowed (`--cors-origin`). Switchyard runs on the developer's machine while they
 * browse; without this, any page could reset state, add faults, purge queues or delete messages
 * with a form post or an image tag, which need no CORS preflight.
 *
 * Browsers say where a request comes from: `Origin` (every POST, PUT, PATCH and DELETE, and any
 * request in CORS mode) and `Sec-Fetch-Site` (every request of a current browser, `Origin` or
 * not). Clients that are not browsers (the SDKs, curl, test code) send neither and pass
 * untouched, at the cost of two header lookups.
 *
 * - The inspection API and the UI (`/_switchyard/*`, `/_aws/*`): writes (any method but GET,
 *   HEAD and OPTIONS) from another origin are refused with 403 and a JSON error. Reads are left
 *   alone: without CORS headers a foreign page cannot read the answer.
 * - The AWS API: every request from another origin is refused, reads included (a GET
 *   `?Action=DeleteQueue&QueueUrl=...` changes state), rendered as AWS's `AccessDenied` in the
 *   request's protocol. AWS itself answers CORS for SQS and SNS with any origin because every
 *   request is signed; Switchyard does not check signatures unless in strict mode, so the
 *   browser's word is what there is. Browser SDK users list their app's origin with
 *   `--cors-origin`; those origins get CORS answers (preflight included) on both APIs. One
 *   exception: a GET of an SNS SubscribeURL (`?Action=ConfirmSubscription&...`) is let through
 *   from anywhere, so the link can be followed from a request bin's page; it does nothing without
 *   the subscription's secret token.
 *
 * "Switchyard's own origin" is the Origin that matches the request's Host header, and only for a
 * host name that cannot be rebound: localhost, *.localhost, an IP address, the name Switchyard
 * binds to, or a host of an allowed origin. A page of `http://evil.example:4566` whose name was
 * made to resolve to 127.0.0.1 (DNS rebinding) sends a matching Origin and Host, and is refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

export type OriginVerdict =
  /** Not from a web page, or from Switchyard's own: carry on. */
  | { kind: 'pass' }
  /** From an allowed origin: carry on, with CORS headers on the answer. */
  | { kind: 'cors'; origin: string }
  /** A preflight from an allowed origin: answered already. */
  | { kind: 'answered' }
  | { kind: 'refused'; message: string };

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Response headers a browser SDK reads (request id, the legacy error code, the date for clock skew). */
const EXPOSED = 'x-amzn-requestid, x-amzn-query-error, x-amzn-errortype, x-switchyard-fault, date';

export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;
  private readonly anyOrigin: boolean;
  private readonly trustedHosts = new Set<string>();

  /** `allowedOrigins`: `scheme://host[:port]` each, or `*` for any. `boundHost`: the interface Switchyard listens on. */
  constructor(allowedOrigins: readonly string[], boundHost: string) {
    this.anyOrigin = allowedOrigins.includes('*');
    this.allowed = new Set(allowedOrigins.filter((o) => o !== '*').map((o) => o.replace(/\/+$/, '').toLowerCase()));
    if (boundHost !== '0.0.0.0' && boundHost !== '::') this.trustedHosts.add(boundHost.toLowerCase());
    for (const o of this.allowed) {
      try {
        this.trustedHosts.add(new URL(o).hostname.replace(/^\[|\]$/g, ''));
      } catch {
        // checked where the option is read
      }
    }
  }

  /** Whether this request needs a look at all: only browsers send these headers. */
  static fromBrowser(req: IncomingMessage): boolean {
    return req.headers.origin !== undefined || req.headers['sec-fetch-site'] !== undefined;
  }

  /**
   * The verdict for a request from a browser (`fromBrowser`). A preflight from an allowed origin
   * is answered here (`answered`); a refusal is left to the caller to write in its own format.
   */
  screen(req: IncomingMessage, res: ServerResponse, api: 'aws' | 'inspection'): OriginVerdict {
    const method = req.method ?? 'GET';
    const origin = req.headers.origin;
    if (typeof origin === 'string') {
      const normalized = origin.toLowerCase();
      if (this.anyOrigin || this.allowed.has(normalized)) {
        if (method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
          preflight(req, res, origin);
          return { kind: 'answered' };
        }
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('vary', 'Origin');
        res.setHeader('access-control-expose-headers', EXPOSED);
        return { kind: 'cors', origin };
      }
      if (api === 'inspection' && READS.has(method)) return { kind: 'pass' };
      if (this.sameOrigin(req, normalized)) return { kind: 'pass' };
      if (api === 'aws' && subscribeUrl(req)) return { kind: 'pass' };
      return { kind: 'refused', message: refusal(origin, api) };
    }
    // No Origin: a navigation, an image, a script, a form GET. Sec-Fetch-Site still says whence.
    const site = req.headers['sec-fetch-site'];
    if (site === 'same-origin' || site === 'none' || site === undefined) return { kind: 'pass' };
    if (api === 'inspection' && READS.has(method)) return { kind: 'pass' };
    if (api === 'aws' && subscribeUrl(req)) return { kind: 'pass' };
    return { kind: 'refused', message: refusal(`a ${String(site)} page`, api) };
  }

  /** Origin and Host name the same place, and that place's name cannot be rebound to us. */
  private sameOrigin(req: IncomingMessage, origin: string): boolean {
    const host = req.headers.host?.toLowerCase();
    if (!host || (origin !== `http://${host}` && origin !== `https://${host}`)) return false;
    const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
    return name === 'localhost' || name.endsWith('.localhost') || isIP(name) !== 0 || this.trustedHosts.has(name);
  }
}

/** A same-origin request from Switchyard's own pages: no signature expected of it in strict mode. */
export function fromOwnPage(req: IncomingMessage): boolean {
  return req.headers['sec-fetch-site'] === 'same-origin' && typeof req.headers.origin === 'string';
}

/** `GET /?Action=ConfirmSubscription&TopicArn=...&Token=...`: an SNS SubscribeURL. */
function subscribeUrl(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return (req.method === 'GET' || req.method === 'HEAD') && /[?&]Action=ConfirmSubscription(&|$)/.test(url);
}

function refusal(from: string, api: 'aws' | 'inspection'): string {
  const what = api === 'aws' ? 'AWS API requests' : 'Changes through the inspection API';
  return `${what} from ${from} are refused: it is not Switchyard's own origin. Start Switchyard with --cors-origin <origin> to allow a web app you trust.`;
}

function preflight(req: IncomingMessage, res: ServerResponse, origin: string): void {
  const headers: Record<string, string> = {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
    'access-control-max-age': '600',
    'content-length': '0',
  };
  const asked = req.headers['access-control-request-headers'];
  if (typeof asked === 'string' && asked.length <= 4096) headers['access-control-allow-headers'] = asked;
  res.writeHead(204, headers);
  res.end();
  req.resume();
}
