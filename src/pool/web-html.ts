// HTML for the pool's web page, escaped by construction: the `html` tag escapes every interpolated value unless it is
// already Html (made by `html` itself), so text from peers (node addresses, errors, keys) can never become markup.
//   html`<td>${address}</td>`   // address is escaped
//   html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`   // nested Html is kept

/** Markup made by `html` (never from a plain string). */
export class Html {
  private constructor(readonly text: string) {}

  /** Only `html` makes Html; the constructor stays private so no string slips in unescaped. */
  static fromTemplate(text: string): Html {
    return new Html(text)
  }

  toString(): string {
    return this.text
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text with the five characters that mean something in HTML (also inside quoted attributes) escaped. */
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

type Part = Html | string | number | boolean | null | undefined | readonly Part[]

function render(part: Part): string {
  if (part instanceof Html) return part.text
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('')
  if (part === null || part === undefined || part === false) return ''
  return escapeHtml(String(part))
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? ''
  values.forEach((v, i) => (out += render(v) + (strings[i + 1] ?? '')))
  return Html.fromTemplate(out)
}
