// oauth4webapi 3 (strict OAuth 2.0 / OpenID Connect primitives) against the live sandbox. It reads the RFC 8414
// metadata, checks every response's shape and validates access tokens as an RFC 9068 resource server would.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import * as oauth from 'oauth4webapi'
import { AN, BASE, CLIENTS, ISSUER, admin, authorize, pkjwtKey } from './sandbox.mjs'

const INSECURE = { [oauth.allowInsecureRequests]: true } // the live server is plain HTTP on loopback
const API_AUDIENCE = `${BASE}/v1`

let as
before(async () => {
  as = await oauth.processDiscoveryResponse(
    ISSUER,
    await oauth.discoveryRequest(ISSUER, { algorithm: 'oauth2', ...INSECURE }),
  )
})

const bank = { client_id: CLIENTS.bank.id }
const bankAuth = oauth.ClientSecretBasic(CLIENTS.bank.secret)

async function signIn(client, auth, redirectUri, { scope = 'openid profile', ...extra } = {}) {
  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const nonce = oauth.generateRandomNonce()
  const url = new URL(as.authorization_endpoint)
  const parameters = {
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    login_hint: AN,
    ...extra,
  }
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value)
  const answer = await authorize(url)
  const callback =
    extra.response_mode === 'jwt'
      ? await oauth.validateJwtAuthResponse(as, client, answer, state, INSECURE) // JARM: signature, iss, aud, exp
      : oauth.validateAuthResponse(as, client, answer, state)
  const response = await oauth.authorizationCodeGrantRequest(as, client, auth, callback, redirectUri, verifier, INSECURE)
  return oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true })
}

/** The access token checked as a resource server does (RFC 9068): signature by the JWKS, typ at+jwt, claims. */
function validateAccessToken(accessToken) {
  const request = new Request(`${BASE}/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } })
  return oauth.validateJwtAccessToken(as, request, API_AUDIENCE, INSECURE)
}

describe('oauth4webapi', () => {
  test('RFC 8414 metadata names the issuer and every endpoint used here', () => {
    assert.equal(as.issuer, ISSUER.href.replace(/\/$/, ''))
    for (const endpoint of ['authorization', 'token', 'userinfo', 'introspection', 'revocation', 'end_session']) {
      assert.ok(as[`${endpoint}_endpoint`], endpoint)
    }
  })

  test('code flow with PKCE, userinfo, refresh, introspection, revocation; access tokens are RFC 9068 JWTs', async () => {
    const tokens = await signIn(bank, bankAuth, CLIENTS.bank.redirectUri)
    const { sub } = oauth.getValidatedIdTokenClaims(tokens)
    const claims = await validateAccessToken(tokens.access_token)
    assert.equal(claims.sub, sub)
    assert.equal(claims.client_id, CLIENTS.bank.id)

    const userinfo = await oauth.processUserInfoResponse(
      as,
      bank,
      sub,
      await oauth.userInfoRequest(as, bank, tokens.access_token, INSECURE),
    )
    assert.equal(userinfo.personal_id, AN)

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      bank,
      await oauth.refreshTokenGrantRequest(as, bank, bankAuth, tokens.refresh_token, INSECURE),
    )
    assert.equal(oauth.getValidatedIdTokenClaims(refreshed).sub, sub)

    const introspect = async (token) =>
      oauth.processIntrospectionResponse(as, bank, await oauth.introspectionRequest(as, bank, bankAuth, token, INSECURE))
    assert.equal((await introspect(refreshed.refresh_token)).active, true)

    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, bank, bankAuth, refreshed.refresh_token, INSECURE),
    )
    assert.equal((await introspect(refreshed.access_token)).active, false)
  })

  test('client_secret_post and client_credentials', async () => {
    const auth = oauth.ClientSecretPost(CLIENTS.bank.secret)
    await signIn(bank, auth, CLIENTS.bank.redirectUri)
    const response = await oauth.clientCredentialsGrantRequest(as, bank, auth, { scope: 'citizen.verify' }, INSECURE)
    const tokens = await oauth.processClientCredentialsResponse(as, bank, response)
    assert.equal((await validateAccessToken(tokens.access_token)).client_id, CLIENTS.bank.id)
  })

  test('public client: PKCE without a secret, then refresh', async () => {
    const spa = { client_id: CLIENTS.spa.id }
    const tokens = await signIn(spa, oauth.None(), CLIENTS.spa.redirectUri)
    const response = await oauth.refreshTokenGrantRequest(as, spa, oauth.None(), tokens.refresh_token, INSECURE)
    assert.ok((await oauth.processRefreshTokenResponse(as, spa, response)).access_token)
  })

  test('private_key_jwt (demo-pkjwt) with an ES256 ID token', async () => {
    const pkjwt = { client_id: CLIENTS.pkjwt.id, id_token_signed_response_alg: 'ES256' }
    const auth = oauth.PrivateKeyJwt(await pkjwtKey())
    const tokens = await signIn(pkjwt, auth, CLIENTS.pkjwt.redirectUri)
    assert.equal(oauth.getValidatedIdTokenClaims(tokens).aud, CLIENTS.pkjwt.id)
  })

  test('key rotation: access tokens signed by the new key verify through the JWKS', async () => {
    const before = await signIn(bank, bankAuth, CLIENTS.bank.redirectUri)
    await validateAccessToken(before.access_token)
    await admin('POST', '/sandbox/keys/rotate')
    const after = await signIn(bank, bankAuth, CLIENTS.bank.redirectUri)
    await validateAccessToken(after.access_token)
    await validateAccessToken(before.access_token) // the retired key stays published while its tokens live
  })

  describe('JARM (response_mode=jwt)', () => {
    test('the code comes in a response JWT, signed RS256 or ES256 like the ID tokens', async () => {
      const tokens = await signIn(bank, bankAuth, CLIENTS.bank.redirectUri, { response_mode: 'jwt' })
      assert.equal(oauth.getValidatedIdTokenClaims(tokens).aud, CLIENTS.bank.id)
      const pkjwt = {
        client_id: CLIENTS.pkjwt.id,
        id_token_signed_response_alg: 'ES256',
        authorization_signed_response_alg: 'ES256',
      }
      const auth = oauth.PrivateKeyJwt(await pkjwtKey())
      await signIn(pkjwt, auth, CLIENTS.pkjwt.redirectUri, { response_mode: 'jwt' })
    })

    test('an error comes in a response JWT too', async () => {
      const extra = { response_mode: 'jwt', scope: 'openid citizen.family' }
      await assert.rejects(signIn(bank, bankAuth, CLIENTS.bank.redirectUri, extra), {
        name: 'AuthorizationResponseError',
        error: 'invalid_scope',
      })
    })

    test('a tampered response JWT fails the signature check', async () => {
      const url = new URL(as.authorization_endpoint)
      url.search = new URLSearchParams({
        client_id: bank.client_id,
        redirect_uri: CLIENTS.bank.redirectUri,
        response_type: 'code',
        response_mode: 'jwt',
        scope: 'openid',
        code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
        code_challenge_method: 'S256',
        login_hint: AN,
      })
      const answer = await authorize(url)
      const [header, payload, signature] = answer.searchParams.get('response').split('.')
      const claims = JSON.parse(Buffer.from(payload, 'base64url'))
      const forged = Buffer.from(JSON.stringify({ ...claims, code: 'attacker-code' })).toString('base64url')
      answer.searchParams.set('response', [header, forged, signature].join('.'))
      await assert.rejects(oauth.validateJwtAuthResponse(as, bank, answer, oauth.expectNoState, INSECURE), {
        code: oauth.INVALID_RESPONSE,
        message: 'JWT signature verification failed',
      })
    })
  })

  describe('errors the library must see', () => {
    test('a replayed authorization code: invalid_grant', async () => {
      const verifier = oauth.generateRandomCodeVerifier()
      const url = new URL(as.authorization_endpoint)
      url.search = new URLSearchParams({
        client_id: bank.client_id,
        redirect_uri: CLIENTS.bank.redirectUri,
        response_type: 'code',
        scope: 'openid',
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        login_hint: AN,
      })
      const callback = oauth.validateAuthResponse(as, bank, await authorize(url), oauth.expectNoState)
      const redeem = async () =>
        oauth.processAuthorizationCodeResponse(
          as,
          bank,
          await oauth.authorizationCodeGrantRequest(as, bank, bankAuth, callback, CLIENTS.bank.redirectUri, verifier, INSECURE),
        )
      await redeem()
      await assert.rejects(redeem(), { name: 'ResponseBodyError', error: 'invalid_grant', status: 400 })
    })

    test('a wrong PKCE verifier: invalid_grant', async () => {
      const url = new URL(as.authorization_endpoint)
      url.search = new URLSearchParams({
        client_id: bank.client_id,
        redirect_uri: CLIENTS.bank.redirectUri,
        response_type: 'code',
        scope: 'openid',
        code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
        code_challenge_method: 'S256',
        login_hint: AN,
      })
      const callback = oauth.validateAuthResponse(as, bank, await authorize(url), oauth.expectNoState)
      const other = oauth.generateRandomCodeVerifier()
      const response = await oauth.authorizationCodeGrantRequest(
        as, bank, bankAuth, callback, CLIENTS.bank.redirectUri, other, INSECURE,
      )
      await assert.rejects(oauth.processAuthorizationCodeResponse(as, bank, response), { error: 'invalid_grant' })
    })

    test('a revoked access token no longer reaches userinfo: 401 with a Bearer challenge', async () => {
      const tokens = await signIn(bank, bankAuth, CLIENTS.bank.redirectUri)
      await oauth.processRevocationResponse(
        await oauth.revocationRequest(as, bank, bankAuth, tokens.access_token, INSECURE),
      )
      const response = await oauth.userInfoRequest(as, bank, tokens.access_token, INSECURE)
      await assert.rejects(oauth.processUserInfoResponse(as, bank, oauth.skipSubjectCheck, response), (error) => {
        assert.equal(error.name, 'WWWAuthenticateChallengeError')
        assert.equal(error.status, 401)
        assert.equal(error.cause[0].scheme, 'bearer')
        assert.equal(error.cause[0].parameters.error, 'invalid_token')
        return true
      })
    })
  })
})
