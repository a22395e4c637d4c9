// A local OpenID Connect issuer for bench/load.sh: discovery + JWKS for an RSA key generated at start,
// and caller tokens (RS256) for a set of customers written one per line to --tokens <file>.
// Usage: node issuer.mjs --port 18301 --audience api://connect-issuer --customers 32 --tokens /tmp/tokens.txt
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '18301' },
    audience: { type: 'string', default: 'api://connect-issuer' },
    customers: { type: 'string', default: '32' },
    tokens: { type: 'string' },
  },
});

const port = Number(values.port);
const issuer = `http://127.0.0.1:${port}`;
const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-rsa-1', alg: 'RS256', use: 'sig' };
const discovery = JSON.stringify({
  issuer,
  jwks_uri: `${issuer}/jwks`,
  id_token_signing_alg_values_supported: ['RS256'],
});
const jwks = JSON.stringify({ keys: [jwk] });

const tokens = [];
for (let i = 1; i <= Number(values.customers); i++) {
  tokens.push(await new SignJWT({ org_id: `org_${i}`, name: `Customer ${i}`, plan: 'pro' })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(values.audience)
    .setSubject(`user-${i}`)
    .setIssuedAt()
    .setNotBefore('-1m')
    .setExpirationTime('12h')
    .sign(privateKey));
}

const server = createServer((req, res) => {
  const body = req.url === '/.well-known/openid-configuration' ? discovery : req.url === '/jwks' ? jwks : null;
  res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
  res.end(body ?? '{}');
});
server.listen(port, '127.0.0.1', () => {
  if (values.tokens) writeFileSync(values.tokens, tokens.join('\n') + '\n');
  console.log(`issuer ready on ${issuer}`);
});
