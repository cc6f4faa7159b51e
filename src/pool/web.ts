// The pool's web page server (`pool start --http <host:port>`): a node:http server with the public page `/`, a key's
// own page `/me?token=…` and its form posts `/me/acquire|renew|release`. A token (web-token.ts) is verified before
// anything else; the actions are the pool calls themselves (validatePoolCall, then the pool's dispatch, the same path
// as a signed Acquire/Renew/Release), so allowance, locking and intents behave exactly alike. Bounds and refusals are
// in web-guard.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { NodeError, type ErrorCode } from '../protocol/errors.js'
import type { Logger } from '../log/logger.js'
import { validatePoolCall, type DonorStatus, type Lease, type ValidPoolCall } from './pool-calls.js'
import { WEB_LIMITS, WebRefusal, checkSameOrigin, hostCheck, readForm } from './web-guard.js'
import type { Html } from './web-html.js'
import { errorPage, personalPage, publicPage, type PersonalView, type PublicView } from './web-pages.js'
import { verifyWebToken, type WebIdentity } from './web-token.js'

export interface PoolWebOptions {
  host: string
  /** 0: any free port */
  port: number
  /** the pool's peer id: tokens must name it as their destination */
  peerId: string
  view(): Promise<PublicView>
  /** the pool's own dispatch of a checked call for a verified key */
  dispatch(call: ValidPoolCall, signer: string): Promise<unknown>
  log: Logger
}

const HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  // the token is in the page's URL and forms: it must not leak to other sites (same-origin, not no-referrer: with
  // no-referrer a browser sends `Origin: null` on the page's own form posts, which the CSRF check refuses)
  'Referrer-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
}

const ROUTES: Record<string, readonly string[]> = {
  '/': ['GET', 'HEAD'],
  '/me': ['GET', 'HEAD'],
  '/me/acquire': ['POST'],
  '/me/renew': ['POST'],
  '/me/release': ['POST'],
}

/** The HTTP status for a pool refusal. */
function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'E_USAGE':
      return 400
    case 'E_SIGNATURE':
    case 'E_DESTINATION':
    case 'E_EXPIRED':
    case 'E_PERMISSION':
    case 'E_NO_VESSEL':
      return 403
    case 'E_ALLOWANCE':
    case 'E_NO_FREE':
      return 409
    case 'E_BUSY':
    case 'E_UNREACHABLE':
    case 'E_TIMEOUT':
      return 503
    default:
      return 500
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Refused',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  500: 'Internal error',
  503: 'Unavailable',
}

export class PoolWeb {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: PoolWebOptions): Promise<PoolWeb> {
    const server = createServer({
      maxHeaderSize: WEB_LIMITS.headerBytes,
      requestTimeout: WEB_LIMITS.requestMs,
      headersTimeout: WEB_LIMITS.headersMs,
      keepAliveTimeout: WEB_LIMITS.keepAliveMs,
    })
    server.maxConnections = WEB_LIMITS.connections
    server.maxHeadersCount = WEB_LIMITS.headersCount
    await new Promise<void>((resolve, reject) => {
      // an address in use or not this machine's is the operator's mistake (`pool start` exits 2), not a crash
      const failed = (err: NodeJS.ErrnoException): void =>
        reject(
          new NodeError(
            'E_USAGE',
            `cannot serve the web page on ${options.host}:${options.port}: ${err.code ?? err.message}`,
          ),
        )
      server.once('error', failed)
      server.listen(options.port, options.host, () => {
        server.off('error', failed)
        resolve()
      })
    })
    const port = (server.address() as AddressInfo).port
    const site = new Site(options, hostCheck(options.host, port))
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void site.handle(req, res))
    const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host
    return new PoolWeb(server, `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`)
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }
}

/** One server's request handling. */
class Site {
  constructor(
    private readonly options: PoolWebOptions,
    private readonly hostAllowed: (host: string | undefined) => boolean,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if ((req.url ?? '').length > WEB_LIMITS.urlChars)
        throw new WebRefusal(414, `the URL is longer than ${WEB_LIMITS.urlChars} characters`)
      if (!this.hostAllowed(req.headers.host))
        throw new WebRefusal(403, 'this server answers only under its own address (Host header refused)')
      const url = new URL(req.url ?? '/', 'http://pool.invalid')
      const methods = ROUTES[url.pathname]
      if (methods === undefined || !Object.hasOwn(ROUTES, url.pathname))
        throw new WebRefusal(404, `no page ${url.pathname.slice(0, 100)}`)
      const method = req.method ?? 'GET'
      if (!methods.includes(method))
        throw new WebRefusal(405, `${method.slice(0, 20)} is not allowed here; use ${methods.join(' or ')}`, {
          Allow: methods.join(', '),
        })
      if (url.pathname === '/') return this.send(res, 200, publicPage(await this.options.view()))
      if (url.pathname === '/me') {
        const token = url.searchParams.get('token') ?? ''
        const who = this.verify(token)
        return this.send(res, 200, await this.personal(who, token))
      }
      checkSameOrigin(req)
      await this.act(url.pathname, await readForm(req), res)
    } catch (err) {
      this.refuse(res, err)
    }
  }

  /** A form post: token first, then the arguments, then the pool call, answered with the key's page. */
  private async act(path: string, form: URLSearchParams, res: ServerResponse): Promise<void> {
    const token = form.get('token') ?? ''
    const who = this.verify(token)
    let valid: ValidPoolCall
    try {
      valid =
        path === '/me/acquire'
          ? validatePoolCall('Acquire', [Number(form.get('count') ?? ''), form.get('distinct') !== null])
          : validatePoolCall(path === '/me/renew' ? 'Renew' : 'Release', [form.get('target') ?? ''])
    } catch (err) {
      return this.refuse(res, err)
    }
    let notice: PersonalView['notice']
    let status = 200
    try {
      const value = await this.options.dispatch(valid, who.key)
      notice = { ok: true, text: doneText(valid.call, value) }
      this.options.log.info(`web: ${valid.call} by ${who.key.slice(12, 22)}: ${notice.text}`)
    } catch (err) {
      if (!(err instanceof NodeError)) throw err
      status = statusOf(err.code)
      notice = { ok: false, text: `${err.code}: ${err.message}` }
    }
    this.send(res, status, await this.personal(who, token, notice))
  }

  private verify(token: string): WebIdentity {
    try {
      return verifyWebToken(token, this.options.peerId)
    } catch (err) {
      if (err instanceof NodeError)
        throw new WebRefusal(
          403,
          token === ''
            ? 'this page needs a token: run flotilla pool open --key <name>'
            : `token refused (${err.code}): ${err.message}`,
        )
      throw err
    }
  }

  private async personal(who: WebIdentity, token: string, notice?: PersonalView['notice']): Promise<Html> {
    const [leases, status] = await Promise.all([
      this.options.dispatch(validatePoolCall('List', []), who.key) as Promise<Lease[]>,
      this.options.dispatch(validatePoolCall('Status', []), who.key) as Promise<DonorStatus>,
    ])
    return personalPage({ key: who.key, expiry: who.expiry, token, leases, status, notice })
  }

  private refuse(res: ServerResponse, err: unknown): void {
    let status = 500
    let message = 'internal error'
    let headers: Record<string, string> = {}
    if (err instanceof WebRefusal) ({ status, message, headers } = err)
    else if (err instanceof NodeError) {
      status = statusOf(err.code)
      message = `${err.code}: ${err.message}`
    } else this.options.log.error(`web page: ${err instanceof Error ? err.message : String(err)}`)
    this.send(res, status, errorPage(status, TITLES[status] ?? 'Error', message), headers)
  }

  private send(res: ServerResponse, status: number, body: Html, headers: Record<string, string> = {}): void {
    if (res.headersSent) return void res.end()
    res.writeHead(status, { ...HEADERS, ...headers })
    res.end(body.text)
  }
}

/** One line on what a successful action did. */
function doneText(call: ValidPoolCall['call'], value: unknown): string {
  if (call === 'Release') {
    const r = value as { released: string[]; pending: string[] }
    const n = r.released.length
    return (
      `Released ${n} vessel${n === 1 ? '' : 's'}` +
      (r.pending.length === 0 ? '.' : `; ${r.pending.length} will be released when their nodes answer.`)
    )
  }
  const leases = value as Lease[]
  const n = leases.length
  return `${call === 'Acquire' ? 'Acquired' : 'Renewed'} ${n} vessel${n === 1 ? '' : 's'}.`
}
