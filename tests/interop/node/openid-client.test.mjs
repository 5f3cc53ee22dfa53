// openid-client 6 (a certified OpenID Connect relying party) against the live sandbox: every flow an integrator
// uses, validated by the library's own strict checks; any error the library raises fails the test.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as client from 'openid-client'
import { AN, CLIENTS, ISSUER, LOA2, admin, arm, authorize, pkjwtKey } from './sandbox.mjs'

const BINH = '079195000002' // level 1 account
const GIANG = '092093000007' // locked account

// enableNonRepudiationChecks: verify ID token signatures too (by default the library trusts the TLS channel).
function configure(registered, auth, metadata = {}) {
  return client.discovery(ISSUER, registered.id, metadata, auth, {
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  })
}

const bank = () => configure(CLIENTS.bank, client.ClientSecretBasic(CLIENTS.bank.secret))

/** A sign-in through the authorization endpoint and the code exchange, with PKCE, state and nonce checked. */
async function signIn(config, registered, { scope = 'openid profile', ...extra } = {}) {
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: registered.redirectUri,
    scope,
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    login_hint: AN,
    ...extra,
  })
  const callback = await authorize(url)
  return client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: scope.split(' ').includes('openid'),
  })
}

const header = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString())

describe('openid-client', () => {
  test('code flow with PKCE and client_secret_basic: ID token, userinfo, refresh, introspection, revocation', async () => {
    const config = await bank()
    const tokens = await signIn(config, CLIENTS.bank, { scope: 'openid profile address' })
    const idToken = tokens.claims()
    assert.equal(idToken.acr, LOA2)
    assert.equal(typeof idToken.sub, 'string')

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, idToken.sub)
    assert.equal(userinfo.personal_id, AN)
    assert.equal(userinfo.address.country, 'VN')

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token)
    assert.equal(refreshed.claims().sub, idToken.sub)
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token)

    const introspected = await client.tokenIntrospection(config, refreshed.access_token)
    assert.equal(introspected.active, true)
    assert.equal(introspected.sub, idToken.sub)

    await client.tokenRevocation(config, refreshed.refresh_token)
    assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, false)
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), { error: 'invalid_grant' })
  })

  test('client_secret_post', async () => {
    const config = await configure(CLIENTS.bank, client.ClientSecretPost(CLIENTS.bank.secret))
    const tokens = await signIn(config, CLIENTS.bank)
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true)
    const machine = await client.clientCredentialsGrant(config, { scope: 'citizen.verify' })
    assert.equal(machine.scope, 'citizen.verify')
  })

  test('public client: PKCE without a secret, then refresh', async () => {
    const config = await configure(CLIENTS.spa, client.None())
    const tokens = await signIn(config, CLIENTS.spa, { scope: 'openid phone' })
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token)
    assert.equal(refreshed.claims().sub, tokens.claims().sub)
  })

  test('private_key_jwt (demo-pkjwt) with an ES256 ID token', async () => {
    const { key, kid } = await pkjwtKey()
    const config = await configure(CLIENTS.pkjwt, client.PrivateKeyJwt(key, { [client.modifyAssertion]: (h) => { h.kid = kid } }), {
      id_token_signed_response_alg: 'ES256',
    })
    const tokens = await signIn(config, CLIENTS.pkjwt)
    assert.equal(header(tokens.id_token).alg, 'ES256')
    const machine = await client.clientCredentialsGrant(config, { scope: 'citizen.identity' })
    assert.equal(machine.token_type.toLowerCase(), 'bearer')
  })

  test('logout: the end-session URL ends the sign-in and its tokens, and returns to the client', async () => {
    const config = await bank()
    const tokens = await signIn(config, CLIENTS.bank)
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: CLIENTS.bank.redirectUri,
      state: 'bye',
    })
    const response = await fetch(url, { redirect: 'manual' })
    assert.equal(response.status, 303)
    assert.equal(response.headers.get('location'), `${CLIENTS.bank.redirectUri}?state=bye`)
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), { error: 'invalid_grant' })
  })

  test('key rotation: the next key was published ahead, so ID tokens it signs verify with the cached JWKS', async () => {
    const config = await bank()
    await signIn(config, CLIENTS.bank) // the library fetches and caches the JWKS
    const { signing_kids: kids } = await admin('POST', '/sandbox/keys/rotate')
    const tokens = await signIn(config, CLIENTS.bank)
    assert.ok(kids.includes(header(tokens.id_token).kid))
    const fresh = await bank() // a relying party that starts after the rotation
    await signIn(fresh, CLIENTS.bank)
  })

  describe('errors the library must see', () => {
    for (const [scenario, code] of [
      ['id_token_wrong_issuer', 'OAUTH_JWT_CLAIM_COMPARISON_FAILED'],
      ['id_token_wrong_audience', 'OAUTH_JWT_CLAIM_COMPARISON_FAILED'],
      ['id_token_bad_signature', 'OAUTH_INVALID_RESPONSE'],
      ['id_token_expired', 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED'],
      ['id_token_nonce_mismatch', 'OAUTH_JWT_CLAIM_COMPARISON_FAILED'],
    ]) {
      test(`${scenario} is refused`, async () => {
        const config = await bank()
        await arm(scenario, CLIENTS.bank.id)
        await assert.rejects(signIn(config, CLIENTS.bank), { name: 'ClientError', code })
      })
    }

    for (const [scenario, extra] of [
      ['user_cancels', {}],
      ['user_declines', { prompt: 'consent' }],
    ]) {
      test(`${scenario} comes back as access_denied`, async () => {
        const config = await bank()
        await arm(scenario, CLIENTS.bank.id)
        await assert.rejects(signIn(config, CLIENTS.bank, extra), {
          name: 'AuthorizationResponseError',
          error: 'access_denied',
        })
      })
    }

    test('a level 1 account where acr_values asks for level 2', async () => {
      const config = await bank()
      await assert.rejects(signIn(config, CLIENTS.bank, { login_hint: BINH, acr_values: LOA2 }), {
        error: 'unmet_authentication_requirements',
      })
    })

    test('a locked account', async () => {
      const config = await bank()
      await assert.rejects(signIn(config, CLIENTS.bank, { login_hint: GIANG }), { error: 'access_denied' })
    })

    test('a wrong client secret', async () => {
      const config = await configure(CLIENTS.bank, client.ClientSecretBasic('wrong'))
      // RFC 6749 §5.2: HTTP Basic was used, so 401 with a Basic challenge, which the library reports as such.
      await assert.rejects(client.clientCredentialsGrant(config), (error) => {
        assert.equal(error.name, 'WWWAuthenticateChallengeError')
        assert.equal(error.status, 401)
        assert.equal(error.cause[0].scheme, 'basic')
        return true
      })
    })

    test('the token service down: 503 temporarily_unavailable', async () => {
      const config = await bank()
      await arm('token_unavailable', CLIENTS.bank.id)
      await assert.rejects(signIn(config, CLIENTS.bank), (error) => {
        assert.equal(error.code, 'OAUTH_RESPONSE_IS_NOT_CONFORM')
        assert.equal(error.cause.status, 503)
        assert.ok(Number(error.cause.headers.get('retry-after')) > 0)
        return true
      })
    })

    test('a state that is not the one sent', async () => {
      const config = await bank()
      const callback = await authorize(
        client.buildAuthorizationUrl(config, {
          redirect_uri: CLIENTS.bank.redirectUri,
          scope: 'openid',
          state: 'sent',
          login_hint: AN,
        }),
      )
      await assert.rejects(client.authorizationCodeGrant(config, callback, { expectedState: 'other' }), {
        code: 'OAUTH_INVALID_RESPONSE',
      })
    })
  })
})
