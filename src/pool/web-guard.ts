// What the pool's web server refuses before it looks at a request's meaning: limits on what a visitor can make it
// hold (URL, headers, body, connections, time), requests for another Host (DNS rebinding), cross-site form posts
// (CSRF: Origin / Sec-Fetch-Site), and form bodies that are too big or not a form. Each refusal is a WebRefusal with
// the HTTP status to answer.
import type { IncomingMessage } from 'node:http'

export const WEB_LIMITS = {
  /** longest request line URL (414 above) */
  urlChars: 2048,
  /** all request headers together (Node answers 431 above) */
  headerBytes: 8 * 1024,
  headersCount: 50,
  /** a form body: a token and two fields fit in well under 1 KiB (413 above) */
  bodyBytes: 4 * 1024,
  connections: 64,
  /** the whole request must arrive within this (408) */
  requestMs: 10_000,
  headersMs: 5_000,
  keepAliveMs: 5_000,
} as const

/** A request refused with an HTTP status and a message for the visitor. */
export class WebRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** The Host headers the server answers: its own host:port (and the loopback names when it listens on loopback);
 *  any when it listens on every address (0.0.0.0 or ::), where the name visitors use is not known. */
export function hostCheck(host: string, port: number): (given: string | undefined) => boolean {
  const bracketed = host.includes(':') ? `[${host}]` : host
  if (bracketed === '0.0.0.0' || bracketed === '[::]') return (given) => given !== undefined && given.length <= 300
  const names = new Set([`${bracketed}:${port}`])
  if (LOOPBACK.has(bracketed)) for (const n of LOOPBACK) names.add(`${n}:${port}`)
  return (given) => given !== undefined && names.has(given.toLowerCase())
}

/** Refuses a POST that a browser sent from another site: its Origin must be this server as the visitor reached it
 *  (http://<Host>); without Origin, Sec-Fetch-Site must not say cross-site. The form's token is the other half. */
export function checkSameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin
  if (origin !== undefined) {
    if (origin !== `http://${req.headers.host ?? ''}`)
      throw new WebRefusal(403, 'cross-site request refused: this form posts only from the pool’s own page')
    return
  }
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    throw new WebRefusal(403, 'cross-site request refused: this form posts only from the pool’s own page')
}

/** The urlencoded form of a POST, at most WEB_LIMITS.bodyBytes (413), of the form content type (415). */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  const length = Number(req.headers['content-length'] ?? '0')
  if (length > WEB_LIMITS.bodyBytes) throw tooLarge()
  if (type !== 'application/x-www-form-urlencoded')
    throw new WebRefusal(415, 'send the form as application/x-www-form-urlencoded')
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    // a body without Content-Length (chunked) is counted as it comes
    if (size > WEB_LIMITS.bodyBytes) throw tooLarge()
    chunks.push(chunk)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

const tooLarge = (): WebRefusal =>
  new WebRefusal(413, `the request body is larger than ${WEB_LIMITS.bodyBytes} bytes`, { Connection: 'close' })
