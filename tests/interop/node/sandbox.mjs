// What every interop test needs from the live sandbox that tests/interop/test_node_clients.py started:
// its address, the admin token, the demo clients, and a headless browser trip through /oauth2/authorize.
import { readFileSync } from 'node:fs'

export const BASE = process.env.VNEID_BASE
export const ADMIN_TOKEN = process.env.VNEID_ADMIN_TOKEN
if (!BASE || !ADMIN_TOKEN) throw new Error('run through pytest tests/interop (it sets VNEID_BASE and VNEID_ADMIN_TOKEN)')

export const ISSUER = new URL(BASE)
export const AN = '001090000001' // persona `an`: level 2 account
export const LOA2 = 'urn:vneid:loa:2'

export const CLIENTS = {
  bank: { id: 'demo-bank', secret: 'demo-bank-secret', redirectUri: `${BASE}/demo/bank/callback` },
  spa: { id: 'demo-spa', redirectUri: 'http://127.0.0.1:53682/callback' }, // loopback: any port (RFC 8252)
  pkjwt: { id: 'demo-pkjwt', redirectUri: `${BASE}/demo/pkjwt/callback` },
}

const jwks = JSON.parse(readFileSync(new URL('../../../seed_data/demo-pkjwt.private.jwks.json', import.meta.url)))
export const PKJWT_JWK = jwks.keys[0]

/** demo-pkjwt's private key as a WebCrypto key, for private_key_jwt. */
export async function pkjwtKey() {
  const { kid, alg, key_ops, use, ...material } = PKJWT_JWK
  const key = await crypto.subtle.importKey('jwk', material, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
    'sign',
  ])
  return { key, kid }
}

/** The browser's trip: GET the authorization URL (a persona's login_hint signs in headlessly) and return where the
 * sandbox sends it back, the client's redirect URI with `code` or `error`. */
export async function authorize(url) {
  const response = await fetch(url, { redirect: 'manual' })
  const location = response.headers.get('location')
  if (response.status !== 303 || !location) {
    throw new Error(`authorize answered ${response.status} without a redirect: ${await response.text()}`)
  }
  return new URL(location)
}

export async function admin(method, path, body) {
  const response = await fetch(new URL(path, BASE), {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  return response.status === 204 ? null : response.json()
}

/** Arm a fault scenario for one request of `clientId` (POST /sandbox/scenarios). */
export const arm = (name, clientId) => admin('POST', '/sandbox/scenarios', { name, client_id: clientId, times: 1 })
