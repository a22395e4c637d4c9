// The node reference for bench/load.sh: POST /api/integration-app/token doing the same work as the .NET route.
// Verifies the caller's bearer (RS256 etc., never HMAC/none) with jose against the issuer's JWKS, takes the
// customer from org_id, signs an HS512 workspace token with jsonwebtoken and a KeyObject, writes one audit line
// (as the .NET service does), and answers {vendor, token, expiresAt, customerId} with Cache-Control: no-store.
// Settings (environment): PORT, AUTHORITY, AUDIENCE, WORKSPACE_KEY, WORKSPACE_SECRET, CUSTOMER_ID_CLAIM.
import { createServer } from 'node:http';
import { createHash, createSecretKey } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';

const env = process.env;
const port = Number(env.PORT ?? 18303);
const authority = env.AUTHORITY ?? 'http://127.0.0.1:18301';
const audience = env.AUDIENCE ?? 'api://connect-issuer';
const workspaceKey = env.WORKSPACE_KEY;
const secret = createSecretKey(Buffer.from(env.WORKSPACE_SECRET ?? '', 'utf8'));
const customerIdClaim = env.CUSTOMER_ID_CLAIM ?? 'sub';
const lifetimeSeconds = 3600;
const maxBody = 16 * 1024;
const algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

const metadata = await (await fetch(`${authority}/.well-known/openid-configuration`)).json();
const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));

function send(res, status, body) {
  res.writeHead(status, { 'content-type': status === 200 ? 'application/json; charset=utf-8' : 'application/problem+json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function audit(customer, subject, outcome, token) {
  const fingerprint = token ? createHash('sha256').update(token).digest('hex').slice(0, 12) : '-';
  process.stdout.write(`Audit: integration-app/token integration-app customer=${customer ?? '-'} subject=${subject ?? '-'} outcome=${outcome} token_sha256=${fingerprint}\n`);
}

async function issue(req, res) {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return send(res, 401, { status: 401, code: 'unauthenticated' });
  let payload;
  try {
    ({ payload } = await jwtVerify(header.slice(7).trim(), jwks, { issuer: metadata.issuer, audience, algorithms, clockTolerance: 60 }));
  } catch {
    audit(null, null, 'unauthenticated');
    return send(res, 401, { status: 401, code: 'unauthenticated' });
  }
  const customerId = payload[customerIdClaim];
  const claims = { id: customerId };
  if (payload.name) claims.name = payload.name;
  if (payload.plan) claims.fields = { plan: payload.plan };
  const iat = Math.floor(Date.now() / 1000);
  const token = jwt.sign({ ...claims, iat }, secret, { algorithm: 'HS512', issuer: workspaceKey, expiresIn: lifetimeSeconds });
  audit(customerId, payload.sub, 'issued', token);
  send(res, 200, {
    vendor: 'integration-app',
    token,
    expiresAt: new Date((iat + lifetimeSeconds) * 1000).toISOString().replace('.000Z', 'Z'),
    customerId,
  });
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/api/health') return send(res, 200, { status: 'ok' });
  if (req.method !== 'POST' || req.url !== '/api/integration-app/token') return send(res, 404, { status: 404, code: 'not_found' });
  let size = 0;
  req.on('data', (chunk) => { size += chunk.length; });
  req.on('end', () => {
    if (size > maxBody) return send(res, 413, { status: 413, code: 'payload_too_large' });
    if (size > 0 && !(req.headers['content-type'] ?? '').startsWith('application/json')) return send(res, 415, { status: 415, code: 'unsupported_media_type' });
    issue(req, res).catch(() => send(res, 500, { status: 500, code: 'internal_error' }));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.error(`reference ready on http://127.0.0.1:${port}`));
