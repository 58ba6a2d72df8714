// The inspection API (docs/inspection-api.md) and the AWS APIs, same origin.

const BASE = '/_switchyard/api';

export class ApiError extends Error {
  constructor(status, body) {
    const code = body && typeof body === 'object' ? body.error ?? body.__type ?? body.code : undefined;
    const message = body && typeof body === 'object' ? body.message ?? body.Message : body;
    super(`${status}${code ? ` ${code}` : ''}: ${message ?? 'request failed'}`);
    this.status = status;
    this.body = body;
  }
}

async function answer(res) {
  const text = await res.text();
  let body = text;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      /* keep the text */
    }
  }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

export const enc = encodeURIComponent;

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function get(path, init) {
  return answer(await fetch(BASE + path, { headers: { accept: 'application/json' }, ...init }));
}

export async function post(path, body) {
  return answer(await fetch(BASE + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}

export async function del(path) {
  return answer(await fetch(BASE + path, { method: 'DELETE' }));
}

/** EventBridge / SQS JSON protocol: {ok, status, body} (the error answer is shown, not thrown). */
export async function awsJson(service, op, input) {
  const [type, prefix] = service === 'sqs' ? ['application/x-amz-json-1.0', 'AmazonSQS'] : ['application/x-amz-json-1.1', 'AWSEvents'];
  const res = await fetch('/', { method: 'POST', headers: { 'content-type': type, 'x-amz-target': `${prefix}.${op}` }, body: JSON.stringify(input) });
  const text = await res.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { ok: res.ok, status: res.status, body };
}

/** SNS query protocol (form-encoded, XML answer). */
export async function snsQuery(params) {
  const res = await fetch('/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Version: '2010-03-31', ...params }).toString(),
  });
  return { ok: res.ok, status: res.status, body: await res.text() };
}
