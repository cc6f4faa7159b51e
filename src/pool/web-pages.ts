// The pool's web pages as server-rendered HTML with inline CSS and no scripts: the public page (nodes and vessel
// counts), a key's own page (leases with their ends, acquire / renew / release forms, donations and allowance) and
// the error page. Every value goes through the `html` tag, which escapes it.
import type { DonorStatus, Lease, PoolSettings } from './pool-calls.js'
import type { PoolNode, PoolVessel } from './pool-store.js'
import { html, type Html } from './web-html.js'

export interface PublicView {
  peerId: string
  key: string
  settings: PoolSettings
  nodes: PoolNode[]
  vessels: PoolVessel[]
}

export interface PersonalView {
  key: string
  /** when the token (and so this page's forms) stops working */
  expiry: number
  token: string
  leases: Lease[]
  status: DonorStatus
  /** what the last action did, or why it was refused */
  notice?: { ok: boolean; text: string }
}

const STYLE = html`<style>
  body {
    font:
      15px/1.4 system-ui,
      sans-serif;
    margin: 1.5em auto;
    max-width: 70em;
    padding: 0 1em;
    color: #222;
  }
  h1 {
    font-size: 1.4em;
  }
  h2 {
    font-size: 1.15em;
    margin-top: 1.6em;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  td,
  th {
    border-bottom: 1px solid #ddd;
    padding: 0.3em 0.5em;
  }
  th {
    text-align: left;
    background: #f3f3f3;
  }
  code,
  .mono {
    font-family: ui-monospace, monospace;
    font-size: 0.9em;
    word-break: break-all;
  }
  .up {
    color: #176917;
  }
  .down {
    color: #a31515;
  }
  .counts span {
    margin-right: 1.5em;
  }
  .notice {
    padding: 0.5em 0.8em;
    border-radius: 4px;
  }
  .ok {
    background: #e3f5e3;
  }
  .refused {
    background: #fbe3e3;
  }
  form.inline {
    display: inline;
  }
  button {
    margin: 0.2em;
  }
</style>`

const when = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')

function page(title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        ${STYLE}
      </head>
      <body>
        ${body}
      </body>
    </html>`
}

/** Vessels in three kinds: free (on a node that answers), leased (to someone, or being given or taken back) and
 *  unavailable (free, but on a node that does not answer). */
function vesselCounts(nodes: PoolNode[], vessels: PoolVessel[]): Record<'free' | 'leased' | 'unavailable', number> {
  const up = new Set(nodes.filter((n) => n.available).map((n) => n.peerId))
  const free = vessels.filter((v) => v.state === 'free')
  return {
    free: free.filter((v) => up.has(v.peerId)).length,
    leased: vessels.length - free.length,
    unavailable: free.filter((v) => !up.has(v.peerId)).length,
  }
}

export function publicPage(view: PublicView): Html {
  const counts = vesselCounts(view.nodes, view.vessels)
  const perNode = new Map<string, number>()
  for (const v of view.vessels) perNode.set(v.peerId, (perNode.get(v.peerId) ?? 0) + 1)
  const s = view.settings
  const rows = [...view.nodes]
    .sort((a, b) => a.peerId.localeCompare(b.peerId))
    .map(
      (n) =>
        html`<tr class="node">
          <td class="mono">${n.peerId}</td>
          <td class="mono">${n.addresses.map((a) => html`<div>${a}</div>`)}</td>
          <td class="${n.available ? 'up' : 'down'}">
            ${n.available ? 'available' : 'not answering'}${
              n.lastError === null ? '' : html`<div class="mono">${n.lastError}</div>`
            }
          </td>
          <td>${when(n.lastSeen)}</td>
          <td>${perNode.get(n.peerId) ?? 0}</td>
        </tr>`,
    )
  return page(
    'Flotilla pool',
    html`<h1>Flotilla pool</h1>
      <p>Peer id <code>${view.peerId}</code><br />Pool key <code>${view.key}</code></p>
      <p>
        Allowance ${s.baseAllowance} + ${s.perDonated} per donated vessel; leases of ${Math.round(s.leaseMs / 1000)} s;
        ${s.allow === null ? 'open to every key' : `${s.allow.length} allowed keys and the donors`}.
      </p>
      <h2>Vessels</h2>
      <p class="counts">
        <span id="free">free: ${counts.free}</span><span id="leased">leased: ${counts.leased}</span
        ><span id="unavailable">unavailable: ${counts.unavailable}</span
        ><span id="total">in all: ${view.vessels.length}</span>
      </p>
      <h2>Nodes (${view.nodes.length})</h2>
      ${
        rows.length === 0
          ? html`<p>No node has donated vessels yet.</p>`
          : html`<table id="nodes">
              <thead>
                <tr>
                  <th>Peer id</th>
                  <th>Addresses</th>
                  <th>State</th>
                  <th>Last seen</th>
                  <th>Vessels</th>
                </tr>
              </thead>
              <tbody>
                ${rows}
              </tbody>
            </table>`
      }
      <p>Your own vessels: <code>flotilla pool open --key &lt;name&gt;</code> prints a link to your page.</p>`,
  )
}

/** A form posting to `action` with the token (the page's credential, and its CSRF defence) and `fields`. */
function form(action: string, token: string, label: string, fields: Html | string = ''): Html {
  return html`<form class="inline" method="post" action="${action}">
    <input type="hidden" name="token" value="${token}" />${fields}<button type="submit">${label}</button>
  </form>`
}

export function personalPage(view: PersonalView): Html {
  const st = view.status
  const leases = [...view.leases].sort((a, b) => a.id.localeCompare(b.id))
  const rows = leases.map(
    (l) =>
      html`<tr class="lease" data-id="${l.id}">
        <td class="mono">${l.id}</td>
        <td class="mono">${l.node}</td>
        <td class="lease-end">${when(l.leaseEnd)}</td>
        <td>
          ${form('/me/renew', view.token, 'Renew', html`<input type="hidden" name="target" value="${l.id}" />`)}${form(
            '/me/release',
            view.token,
            'Release',
            html`<input type="hidden" name="target" value="${l.id}" />`,
          )}
        </td>
      </tr>`,
  )
  const all = html`<input type="hidden" name="target" value="all" />`
  return page(
    'My vessels — Flotilla pool',
    html`<h1>My vessels</h1>
      <p>
        Key <code id="key">${view.key}</code><br />This page works until ${when(view.expiry)}; then run
        <code>flotilla pool open</code> again. <a href="/">Whole pool</a>
      </p>
      ${
        view.notice === undefined
          ? ''
          : html`<p id="notice" class="notice ${view.notice.ok ? 'ok' : 'refused'}">${view.notice.text}</p>`
      }
      <h2>Leases (${leases.length})</h2>
      ${
        rows.length === 0
          ? html`<p id="no-leases">No vessels leased to this key.</p>`
          : html`<table id="leases">
                <thead>
                  <tr>
                    <th>Vessel</th>
                    <th>Node</th>
                    <th>Lease ends</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${rows}
                </tbody>
              </table>
              <p>
                ${form('/me/renew', view.token, 'Renew all', all)}${form('/me/release', view.token, 'Release all', all)}
              </p>`
      }
      <h2>Acquire</h2>
      ${form(
        '/me/acquire',
        view.token,
        'Acquire',
        html`<label>Vessels <input type="number" name="count" min="1" max="1000" value="1" required /></label>
          <label><input type="checkbox" name="distinct" value="1" /> on distinct nodes</label>`,
      )}
      <h2>Donations and allowance</h2>
      <p id="status">
        Donated ${st.donated} vessel${st.donated === 1 ? '' : 's'}; allowance ${st.allowance}; in use ${st.inUse}
      </p>
      ${
        st.nodes.length === 0
          ? ''
          : html`<table id="donations">
              <thead>
                <tr>
                  <th>Node</th>
                  <th>Vessels</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                ${st.nodes.map(
                  (n) =>
                    html`<tr>
                      <td class="mono">${n.peerId}</td>
                      <td>${n.vessels}</td>
                      <td class="${n.available ? 'up' : 'down'}">${n.available ? 'available' : 'not answering'}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }`,
  )
}

export function errorPage(status: number, title: string, message: string): Html {
  return page(
    `${status} ${title}`,
    html`<h1>${status} ${title}</h1>
      <p id="error">${message}</p>
      <p><a href="/">The pool's page</a></p>`,
  )
}
