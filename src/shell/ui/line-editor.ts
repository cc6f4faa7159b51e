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
