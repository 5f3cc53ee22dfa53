// The FAPI 2.0 flow of demo-fapi (PAR + PKCE + private_key_jwt + DPoP + iss check + encrypted ID token and
// userinfo) with openid-client 6 and oauth4webapi 3, and the same flow with one protection taken away at a time:
// the sandbox must refuse each.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { before, describe, test } from 'node:test'
import * as jose from 'jose'
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'
import { AN, BASE, ISSUER, authorize } from './sandbox.mjs'

const FAPI = { id: 'demo-fapi', redirectUri: `${BASE}/demo/fapi/callback` }
const KEYS = JSON.parse(readFileSync(new URL('../../../seed_data/demo-fapi.private.jwks.json', import.meta.url))).keys
const SIGNING = KEYS.find((k) => k.kid === 'demo-fapi-sig-2026')
const ENCRYPTION = KEYS.find((k) => k.kid === 'demo-fapi-enc-ec-2026')
const INSECURE = { [oauth.allowInsecureRequests]: true } // the live server is plain HTTP on loopback

const material = ({ kid, alg, use, key_ops, ...jwk }) => jwk
const signingKey = async () => ({
  kid: SIGNING.kid,
  key: await crypto.subtle.importKey('jwk', material(SIGNING), { name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
  ]),
})
const decryptionKey = () =>
  crypto.subtle.importKey('jwk', material(ENCRYPTION), { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits'])

describe('openid-client FAPI 2.0', () => {
  test('PAR, PKCE, private_key_jwt, DPoP, iss, encrypted ID token and userinfo', async () => {
    const config = await client.discovery(ISSUER, FAPI.id, {}, client.PrivateKeyJwt(await signingKey()), {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    })
    client.enableDecryptingResponses(config, ['A256GCM'], {
      key: await decryptionKey(),
      alg: ENCRYPTION.alg,
      kid: ENCRYPTION.kid,
    })
    const dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'))
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const url = await client.buildAuthorizationUrlWithPAR(
      config,
      {
        redirect_uri: FAPI.redirectUri,
        scope: 'openid profile',
        state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        login_hint: AN,
      },
      { DPoP: dpop },
    )
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri'])
    const callback = await authorize(url)
    assert.equal(callback.searchParams.get('iss'), ISSUER.href.replace(/\/$/, ''))
    const tokens = await client.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
      undefined,
      { DPoP: dpop },
    )
    assert.equal(tokens.token_type, 'dpop')
    assert.equal(tokens.id_token.split('.').length, 5, 'the ID token arrives encrypted')
    const { sub } = tokens.claims()
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, sub, { DPoP: dpop })
    assert.equal(userinfo.personal_id, AN)
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP: dpop })
    assert.equal(refreshed.claims().sub, sub)
  })
})

describe('oauth4webapi FAPI 2.0', () => {
  let as
  const fapi = { client_id: FAPI.id, use_mtls_endpoint_aliases: false }
  const decrypt = {
    [oauth.jweDecrypt]: async (jwe) => {
      const { plaintext } = await jose.compactDecrypt(jwe, await decryptionKey(), {
        keyManagementAlgorithms: [ENCRYPTION.alg],
        contentEncryptionAlgorithms: ['A256GCM'],
      })
      return new TextDecoder().decode(plaintext)
    },
  }

  before(async () => {
    as = await oauth.processDiscoveryResponse(ISSUER, await oauth.discoveryRequest(ISSUER, INSECURE))
    assert.equal(as.authorization_response_iss_parameter_supported, true)
    assert.ok(as.pushed_authorization_request_endpoint)
  })

  /** The FAPI 2.0 flow; `drop` names one protection to leave out, to prove the sandbox insists on it. */
  async function flow(drop = null) {
    const auth = drop === 'private_key_jwt' ? oauth.None() : oauth.PrivateKeyJwt(await signingKey())
    const dpop = drop === 'dpop' ? undefined : oauth.DPoP(fapi, await oauth.generateKeyPair('ES256'))
    const verifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const nonce = oauth.generateRandomNonce()
    const parameters = {
      client_id: FAPI.id,
      redirect_uri: FAPI.redirectUri,
      response_type: 'code',
      scope: 'openid profile',
      state,
      nonce,
      login_hint: AN,
      ...(drop === 'pkce'
        ? {}
        : { code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' }),
    }
    const url = new URL(as.authorization_endpoint)
    if (drop === 'par') {
      for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value)
    } else {
      const pushed = await oauth.processPushedAuthorizationResponse(
        as,
        fapi,
        await oauth.pushedAuthorizationRequest(as, fapi, auth, parameters, { DPoP: dpop, ...INSECURE }),
      )
      url.searchParams.set('client_id', FAPI.id)
      url.searchParams.set('request_uri', pushed.request_uri)
    }
    const callback = oauth.validateAuthResponse(as, fapi, await authorize(url), state) // checks iss (RFC 9207)
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      fapi,
      auth,
      callback,
      FAPI.redirectUri,
      drop === 'pkce' ? oauth.nopkce : verifier,
      { DPoP: dpop, ...INSECURE },
    )
    const tokens = await oauth.processAuthorizationCodeResponse(as, fapi, response, {
      expectedNonce: nonce,
      requireIdToken: true,
      ...decrypt,
    })
    const { sub } = oauth.getValidatedIdTokenClaims(tokens)
    const userinfo = await oauth.processUserInfoResponse(
      as,
      fapi,
      sub,
      await oauth.userInfoRequest(as, fapi, tokens.access_token, { DPoP: dpop, ...INSECURE }),
      decrypt,
    )
    return { tokens, userinfo }
  }

  test('PAR, PKCE, private_key_jwt, DPoP, iss, encrypted ID token and userinfo', async () => {
    const { tokens, userinfo } = await flow()
    assert.equal(tokens.token_type, 'dpop')
    assert.equal(userinfo.personal_id, AN)
  })

  const REFUSALS = {
    par: /invalid_request/, // authorization request sent in the query: this client must push it
    pkce: /invalid_request/, // no code_challenge in the pushed request
    private_key_jwt: /invalid_client/, // no client authentication at PAR
    dpop: /invalid_dpop_proof/, // no DPoP proof at the token endpoint
  }
  for (const [protection, refusal] of Object.entries(REFUSALS)) {
    test(`without ${protection} the flow is refused`, async () => {
      await assert.rejects(flow(protection), (error) => {
        const said = `${error.message} ${error.error ?? ''} ${error.cause?.error ?? ''} ${error.cause?.get?.('error') ?? ''}`
        assert.match(said, refusal)
        return true
      })
    })
  }

  test('a tampered iss in the authorization response is caught by the library', async () => {
    const wrong = new URL(`${FAPI.redirectUri}?code=x&state=s&iss=${encodeURIComponent('https://other.example')}`)
    assert.throws(() => oauth.validateAuthResponse(as, fapi, wrong, 's'), /iss/)
  })
})
