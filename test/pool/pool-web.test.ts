// The pool's web page (`--http`) with a real pool and a real donated node: the public page, a key's page opened
// with a token, each refusal (token: bad signature, another pool, expired; another key's vessel; oversized body,
// unknown path, wrong method, cross-site post) with its status and nothing changed, escaping of hostile text from
// peers, and a real browser (Debian's chromium via playwright-core) acquiring and releasing from the link that
// `flotilla pool open` prints.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientTransport } from '../../src/client/node-client.js'
import type { KeyPair } from '../../src/keys/key-files.js'
import { decodeRequest, encodeRequest, isSigned } from '../../src/protocol/messages.js'
import { signWebToken } from '../../src/pool/web-token.js'
import { BIN, flotilla } from '../helpers/flotilla-run.js'
import { requireBuild, tempDir, type TestNode } from '../node/nm-helpers.js'
import { donatedNode, experimenters, startPool, usersOn, type TestPool } from './pool-helpers.js'

const CHROMIUM = '/usr/bin/chromium'
let transport: ClientTransport
let pool: TestPool
let node: TestNode
let keysDir: string
let alice: KeyPair
let bob: KeyPair
let base: string

beforeAll(async () => {
  requireBuild()
  transport = await ClientTransport.create()
  pool = await startPool({ transport, http: '127.0.0.1:0' })
  keysDir = tempDir('flotilla-web-keys-')
  ;({ alice, bob } = await experimenters(keysDir))
  node = await donatedNode(pool, transport, 3)
  base = pool.pool.httpUrl!
}, 120_000)

afterAll(async () => {
  await node?.stop()
  await pool?.stop()
  await transport?.close()
}, 60_000)

const token = (key: KeyPair): string => signWebToken(key.privateKey, pool.pool.peerId)
const me = (t: string): Promise<Response> => fetch(`${base}me?token=${encodeURIComponent(t)}`)
const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(new URL(path, base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  })

/** What any action could change: the pool's counts, both keys' leases, and the users on the node. */
async function everything(): Promise<unknown> {
  const info = await (await pool.client()).call('PoolInfo', [])
  const leases = await Promise.all([alice, bob].map(async (k) => (await pool.client(k)).call('List', [])))
  return { info, leases, users: await usersOn(node) }
}

describe('public page', () => {
  it('lists the nodes and the vessel counts', async () => {
    const res = await fetch(base)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    const page = await res.text()
    expect(page).toContain(node.nm.peerId)
    expect(page).toContain(node.address.split('/p2p/')[0])
    expect(page).toMatch(/id="free">free: 3</)
    expect(page).toMatch(/id="leased">leased: 0</)
    expect(page).toMatch(/id="unavailable">unavailable: 0</)
    expect(page).toContain('available')
    expect(page).not.toMatch(/<script/i)
  })

  it('tells its URL in PoolInfo', async () => {
    expect((await (await pool.client()).call('PoolInfo', [])).http).toBe(base)
  })
})

describe('personal page', () => {
  it('shows the key, its donations and allowance, and acquires, renews and releases through the forms', async () => {
    const donorToken = token(node.keys.owner)
    const page = await (await me(donorToken)).text()
    expect(page).toContain(node.keys.owner.publicKeyText)
    expect(page).toMatch(/Donated 3 vessels; allowance 5; in use 0/)
    expect(page).toContain(node.nm.peerId)

    const t = token(alice)
    const acquired = await post('/me/acquire', { token: t, count: '1', distinct: '1' })
    expect(acquired.status).toBe(200)
    const after = await acquired.text()
    expect(after).toContain('Acquired 1 vessel.')
    const [lease] = await (await pool.client(alice)).call('List', [])
    expect(after).toContain(lease!.id)
    expect((await usersOn(node))[lease!.vessel]).toEqual([alice.publicKeyText])

    const renewed = await post('/me/renew', { token: t, target: 'all' })
    expect(await renewed.text()).toContain('Renewed 1 vessel.')
    const released = await post('/me/release', { token: t, target: lease!.id })
    expect(await released.text()).toContain('Released 1 vessel.')
    expect((await usersOn(node))[lease!.vessel]).toEqual([])
  })

  it('refuses what the allowance does not cover with 409, changing nothing', async () => {
    const before = await everything()
    const res = await post('/me/acquire', { token: token(alice), count: '3' })
    expect(res.status).toBe(409)
    expect(await res.text()).toContain('E_ALLOWANCE')
    expect(await everything()).toEqual(before)
  })
})

describe('refusals', () => {
  /** The token with one byte of its signature changed. */
  function forged(t: string): string {
    const request = decodeRequest(new Uint8Array(Buffer.from(t, 'base64url')))
    if (!isSigned(request)) throw new Error('unsigned token')
    const signature = Uint8Array.from(request.signature)
    signature[0] = signature[0]! ^ 1
    return Buffer.from(encodeRequest({ ...request, signature })).toString('base64url')
  }

  it('refuses bad, foreign, expired and missing tokens with 403, for the page and for every action', async () => {
    const bad: Record<string, string> = {
      'bad signature': forged(token(alice)),
      'another pool': signWebToken(alice.privateKey, node.nm.peerId),
      expired: signWebToken(alice.privateKey, pool.pool.peerId, 60_000, Date.now() - 120_000),
      'too long-lived': signWebToken(alice.privateKey, pool.pool.peerId, 24 * 3600_000),
      missing: '',
      malformed: 'not*a*token',
    }
    const before = await everything()
    for (const [what, t] of Object.entries(bad)) {
      const page = await me(t)
      expect(page.status, what).toBe(403)
      expect(await page.text(), what).not.toContain('My vessels')
      for (const [path, fields] of [
        ['/me/acquire', { count: '1' }],
        ['/me/renew', { target: 'all' }],
        ['/me/release', { target: 'all' }],
      ] as const) {
        const res = await post(path, { token: t, ...fields })
        expect(res.status, `${what} ${path}`).toBe(403)
      }
    }
    expect(await everything()).toEqual(before)
  })

  it("refuses another key's vessel with 403, and it stays leased", async () => {
    const [lease] = await (await pool.client(alice)).call('Acquire', [1, false])
    try {
      const before = await everything()
      for (const path of ['/me/release', '/me/renew']) {
        const res = await post(path, { token: token(bob), target: lease!.id })
        expect(res.status, path).toBe(403)
        expect(await res.text()).toContain('E_NO_VESSEL')
      }
      expect(await everything()).toEqual(before)
      expect((await usersOn(node))[lease!.vessel]).toEqual([alice.publicKeyText])
    } finally {
      await (await pool.client(alice)).call('Release', ['all'])
    }
  })

  it('refuses bad arguments with 400, an oversized body with 413, a cross-site post with 403', async () => {
    const before = await everything()
    const t = token(alice)
    expect((await post('/me/acquire', { token: t, count: '0' })).status).toBe(400)
    expect((await post('/me/acquire', { token: t, count: 'lots' })).status).toBe(400)
    expect((await post('/me/release', { token: t, target: '<b>x</b>' })).status).toBe(400)
    const big = await post('/me/acquire', { token: t, count: '1', pad: 'x'.repeat(10_000) })
    expect(big.status).toBe(413)
    expect(await big.text()).toContain('larger than 4096 bytes')
    const cross = await post('/me/acquire', { token: t, count: '1' }, { origin: 'http://evil.example' })
    expect(cross.status).toBe(403)
    expect(await cross.text()).toContain('cross-site')
    const site = await post('/me/acquire', { token: t, count: '1' }, { 'sec-fetch-site': 'cross-site' })
    expect(site.status).toBe(403)
    const json = await fetch(new URL('/me/acquire', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: t, count: 1 }),
    })
    expect(json.status).toBe(415)
    expect(await everything()).toEqual(before)
  })

  it('answers 404 for an unknown path, 405 for a wrong method, 414 for a long URL, 431 for big headers, 403 for a foreign Host', async () => {
    const unknown = await fetch(new URL('/admin', base))
    expect(unknown.status).toBe(404)
    expect(await unknown.text()).toContain('no page /admin')
    expect((await fetch(new URL('/__proto__', base))).status).toBe(404)
    const wrong = await fetch(base, { method: 'POST' })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET, HEAD')
    expect((await fetch(new URL('/me/acquire', base))).status).toBe(405)
    expect((await fetch(new URL(`/?${'a'.repeat(3000)}`, base))).status).toBe(414)
    expect((await fetch(base, { headers: { 'x-padding': 'a'.repeat(10_000) } })).status).toBe(431)
    // fetch does not let a caller set Host; a DNS-rebound page would reach the server under its own name
    const rebound = await new Promise<number>((resolve, reject) => {
      const url = new URL(base)
      request({ host: url.hostname, port: url.port, path: '/', headers: { host: 'evil.example' } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
        .on('error', reject)
        .end()
    })
    expect(rebound).toBe(403)
  })
})

describe('escaping', () => {
  it('shows a hostile address from a peer as text', async () => {
    const hostile = `/dns4/x"'><img src=x onerror=alert(1)>&amp;/tcp/1/p2p/${node.nm.peerId}`
    // anyone may announce a node's addresses; the pool keeps them when the node answers on one of them
    await (await pool.client(bob)).call('Announce', [[node.address, hostile]])
    const page = await (await fetch(base)).text()
    expect(page).not.toContain('<img')
    expect(page).toContain('x&quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;')
  })
})

describe('in a browser', () => {
  const hasChromium = existsSync(CHROMIUM)
  it.skipIf(!hasChromium)(
    'opens the link of flotilla pool open, acquires and releases' +
      (hasChromium ? '' : ` (skipped: no ${CHROMIUM}; apt-get install chromium, as .ci/run does)`),
    async () => {
      const opened = await flotilla(
        ['pool', 'open', '--key', 'alice', '--keys', keysDir, '--pool', pool.address, '--json'],
        { timeoutMs: 60_000 },
      )
      expect(opened.stderr).toBe('')
      expect(opened.code).toBe(0)
      const link = JSON.parse(opened.stdout) as { url: string; key: string }
      expect(link.key).toBe(alice.publicKeyText)
      expect(link.url.startsWith(`${base}me?token=`)).toBe(true)

      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
      try {
        const page = await browser.newPage()
        await page.goto(link.url)
        await expect(page.locator('#key').textContent()).resolves.toBe(alice.publicKeyText)
        await expect(page.locator('#no-leases').isVisible()).resolves.toBe(true)

        await page.locator('input[name=count]').fill('1')
        await page.getByRole('button', { name: 'Acquire', exact: true }).click()
        await page.locator('tr.lease').first().waitFor()
        const id = await page.locator('tr.lease').first().getAttribute('data-id')
        expect(await page.locator('#notice').textContent()).toBe('Acquired 1 vessel.')
        const vessel = id!.split(':')[1]!
        expect((await usersOn(node))[vessel]).toEqual([alice.publicKeyText])
        const end = await page.locator('tr.lease .lease-end').first().textContent()
        expect(end).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/)

        await page.locator('tr.lease').first().getByRole('button', { name: 'Release' }).click()
        await page.locator('#no-leases').waitFor()
        expect(await page.locator('#notice').textContent()).toBe('Released 1 vessel.')
        expect((await usersOn(node))[vessel]).toEqual([])
        expect(await (await pool.client(alice)).call('List', [])).toEqual([])
      } finally {
        await browser.close()
      }
    },
    120_000,
  )
})

describe('pool open', () => {
  it('prints the link, and refuses a pool without a web page', async () => {
    const opened = await flotilla(['pool', 'open', '--key', 'bob', '--keys', keysDir, '--pool', pool.address])
    expect(opened.code).toBe(0)
    const url = opened.stdout.split('\n')[0]!
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain(bob.publicKeyText)

    const plain = await startPool({ transport })
    try {
      const none = await flotilla(['pool', 'open', '--key', 'bob', '--keys', keysDir, '--pool', plain.address])
      expect(none.code).toBe(1)
      expect(none.stderr).toContain('serves no web page')
    } finally {
      await plain.stop()
    }
  }, 120_000)
})

describe('pool start --http', () => {
  it('serves the page and prints its URL; a malformed or taken --http is a usage mistake (exit 2)', async () => {
    const dir = tempDir('flotilla-web-cli-')
    const args = ['pool', 'start', '--data', join(dir, 'pool'), '--keys', join(dir, 'keys')]
    const listen = ['--listen', '/ip4/127.0.0.1/tcp/0']
    const bad = await flotilla([...args, ...listen, '--http', 'localhost'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--http must be host:port')
    const taken = new URL(base)
    const inUse = await flotilla([...args, ...listen, '--http', `127.0.0.1:${taken.port}`])
    expect(inUse.code).toBe(2)
    expect(inUse.stderr).toContain('cannot serve the web page on 127.0.0.1')
    expect(inUse.stderr).not.toMatch(/\n\s+at /)

    const child = spawn(process.execPath, [BIN, ...args, ...listen, '--http', '127.0.0.1:0', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve)
        child.once('exit', (code) => reject(new Error(`pool start exited ${code}`)))
      })
      const started = JSON.parse(line) as { http: string; peerId: string }
      expect(started.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      const res = await fetch(started.http)
      expect(res.status).toBe(200)
      expect(await res.text()).toContain(started.peerId)
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }, 120_000)
})
