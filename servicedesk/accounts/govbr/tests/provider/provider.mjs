// Test-only OpenID Connect provider that behaves like gov.br's Login Único, on 127.0.0.1.
//
// It is panva's oidc-provider (a certified implementation) configured with gov.br's paths
// (/authorize, /token, /jwk, /userinfo/, /logout), PKCE required, client authentication
// with HTTP Basic, RS256 ID tokens living 60 seconds, and the gov.br claims
// (preferred_username, reliability_info) in the ID token.
//
// There is no login screen: the test picks the person with the standard `login_hint`
// authorization parameter (the CPF, which becomes `sub` exactly as given, so "529982247-25"
// tests a formatted sub) and the interaction completes at once. A few test-only
// authorization parameters shape the answer:
//   test_level=bronze|silver|gold       reliability_info.level (default silver)
//   test_no_preferred_username=1        leave preferred_username out (the CPF is only in sub)
//   test_deny=1                         the person refuses: redirect with error=access_denied
//   test_tamper=wrong_aud|wrong_iss|expired|wrong_nonce|bad_signature
//                                       the token endpoint answers with an ID token whose claim
//                                       was changed after issue and that is signed again (with
//                                       the provider's key, or a foreign one for bad_signature),
//                                       so the portal's real verification has to catch it.
//
// Environment: CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated). It listens on a
// random free port of 127.0.0.1 and prints one JSON line {"issuer": ...} once it is ready.
import http from 'node:http';

import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

const { CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS } = process.env;
if (!CLIENT_ID || !CLIENT_SECRET || !REDIRECT_URIS) {
  console.error('CLIENT_ID, CLIENT_SECRET and REDIRECT_URIS are required');
  process.exit(2);
}

const profiles = new Map(); // accountId -> {level, noPreferredUsername}
const tampering = new Map(); // grantId -> test_tamper value

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await exportJWK(privateKey)), kid: 'govbr-test', alg: 'RS256', use: 'sig' };
const { privateKey: foreignKey } = await generateKeyPair('RS256');

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}/`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: REDIRECT_URIS.split(','),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [signingJwk] },
  pkce: { required: () => true },
  routes: {
    authorization: '/authorize',
    token: '/token',
    jwks: '/jwk',
    userinfo: '/userinfo/',
    end_session: '/logout',
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    govbr_confiabilidades: ['reliability_info'],
    govbr_confiabilidades_idtoken: ['reliability_info'],
  },
  // gov.br puts the profile and trust level claims in the ID token itself.
  conformIdTokenClaims: false,
  extraParams: ['test_level', 'test_no_preferred_username', 'test_deny', 'test_tamper'],
  ttl: { IdToken: 60, AccessToken: 60, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
  cookies: { keys: ['govbr-test-provider-cookie-key'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const profile = profiles.get(sub) ?? {};
    return {
      accountId: sub,
      async claims() {
        const digits = sub.replace(/\D/g, '');
        const claims = {
          sub,
          name: 'Pessoa de Teste do gov.br',
          email: `${digits}@example.gov.br`,
          // gov.br sends it as a string.
          email_verified: 'true',
          reliability_info: { level: profile.level ?? 'silver' },
        };
        if (!profile.noPreferredUsername) claims.preferred_username = digits;
        return claims;
      },
    };
  },
});

// Re-sign the ID token of a grant the test asked to tamper with.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || ctx.status !== 200 || !ctx.body?.id_token) return;
  const grantId = ctx.oidc?.entities?.AuthorizationCode?.grantId;
  const tamper = tampering.get(grantId);
  if (!tamper) return;
  const claims = decodeJwt(ctx.body.id_token);
  const now = Math.floor(Date.now() / 1000);
  let key = privateKey;
  if (tamper === 'wrong_aud') claims.aud = 'outro-sistema';
  else if (tamper === 'wrong_iss') claims.iss = 'https://sso.acesso.gov.br/';
  else if (tamper === 'expired') Object.assign(claims, { iat: now - 600, exp: now - 300 });
  else if (tamper === 'wrong_nonce') claims.nonce = 'nonce-de-outra-tentativa';
  else if (tamper === 'bad_signature') key = foreignKey;
  const header = decodeProtectedHeader(ctx.body.id_token);
  const idToken = await new SignJWT(claims).setProtectedHeader(header).sign(key);
  ctx.body = { ...ctx.body, id_token: idToken };
});

async function finishInteraction(req, res) {
  const { uid, params } = await provider.interactionDetails(req, res);
  if (params.test_deny) {
    const result = { error: 'access_denied', error_description: 'recusado pelo usuário' };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = params.login_hint;
  if (!accountId) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(`interaction ${uid}: login_hint missing`);
    return;
  }
  profiles.set(accountId, {
    level: params.test_level,
    noPreferredUsername: Boolean(params.test_no_preferred_username),
  });
  const grant = new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  const grantId = await grant.save();
  if (params.test_tamper) tampering.set(grantId, params.test_tamper);
  const result = { login: { accountId }, consent: { grantId } };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    finishInteraction(req, res).catch((error) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
    return;
  }
  callback(req, res);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(JSON.stringify({ issuer }));
