// The prompt's line being edited: text and cursor, changed key by key. Kept outside React's state so that keys
// arriving faster than the screen redraws (a paste, a loaded machine) each see the line as the previous key left it.
export interface Line {
  text: string
  /** cursor position, 0..text.length */
  cursor: number
}

export interface EditKey {
  leftArrow?: boolean
  rightArrow?: boolean
  backspace?: boolean
  delete?: boolean
  ctrl?: boolean
  meta?: boolean
}

export const EMPTY_LINE: Line = { text: '', cursor: 0 }

/** The line with `text` put in at the cursor. */
export function insert(line: Line, text: string): Line {
  return {
    text: line.text.slice(0, line.cursor) + text + line.text.slice(line.cursor),
    cursor: line.cursor + text.length,
  }
}

/** The line after an editing key (arrows, backspace, Ctrl-A/E/U); null if the key does not edit. */
export function edit(line: Line, input: string, key: EditKey): Line | null {
  const { text, cursor } = line
  if (key.leftArrow) return { text, cursor: Math.max(0, cursor - 1) }
  if (key.rightArrow) return { text, cursor: Math.min(text.length, cursor + 1) }
  // terminals send DEL (0x7f) for the Backspace key, which ink reports as delete
  if (key.backspace || key.delete)
    return cursor === 0 ? line : { text: text.slice(0, cursor - 1) + text.slice(cursor), cursor: cursor - 1 }
  if (key.ctrl && input === 'a') return { text, cursor: 0 }
  if (key.ctrl && input === 'e') return { text, cursor: text.length }
  if (key.ctrl && input === 'u') return { text: text.slice(cursor), cursor: 0 }
  return null
}

/** One key of a chunk read from the terminal: its text and the flags ink would have given it alone. */
export interface SplitKey {
  input: string
  key: EditKey & { return?: boolean; tab?: boolean }
}

// C0 controls and DEL; ink has already split off escape sequences
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\x00-\x1f\x7f]/

/**
 * ink hands over one read from the terminal as one input, and on a loaded machine a read can hold several keys
 * ("\r\x03": Enter then Ctrl-C). Such a chunk is split here into the keys a terminal sent one by one; a run of
 * plain text (a paste) stays whole. Null when the chunk is a single key or plain text.
 */
export function splitKeys(chunk: string): SplitKey[] | null {
  if (chunk.length < 2 || !CONTROL.test(chunk)) return null
  const keys: SplitKey[] = []
  let text = ''
  const chars = [...chunk]
  chars.forEach((ch, i) => {
    if (!CONTROL.test(ch)) {
      text += ch
      return
    }
    if (text !== '') keys.push({ input: text, key: {} })
    text = ''
    const code = ch.codePointAt(0)!
    if (ch === '\n' && chars[i - 1] === '\r') return // CRLF from a paste: one Enter
    if (ch === '\r' || ch === '\n') keys.push({ input: '', key: { return: true } })
    else if (ch === '\t') keys.push({ input: '', key: { tab: true } })
    else if (ch === '\x7f' || ch === '\b') keys.push({ input: '', key: { backspace: true } })
    else if (code >= 1 && code <= 26) keys.push({ input: String.fromCharCode(code + 96), key: { ctrl: true } })
    // NUL and FS..US are no key of ours: dropped
  })
  if (text !== '') keys.push({ input: text, key: {} })
  return keys
}
