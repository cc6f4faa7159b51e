// Tab completion of a command line: command names, set/show subcommands, targets, groups, identities, local files.
import { readdirSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { CompletionKind } from '../command.js'
import { COMMANDS, findCommand } from '../commands.js'
import type { ShellState } from '../model.js'

export interface Completion {
  /** the new line (unchanged if nothing could be added) */
  line: string
  /** the candidates when there is more than one */
  candidates: string[]
}

/** What the word at `index` (0 = the command) of `words` completes to. */
function kindAt(words: string[], index: number): { kind: CompletionKind | 'sub'; sub?: string[]; offset?: number } {
  if (index === 0) return { kind: 'command' }
  const spec = findCommand(words[0]!)
  if (!spec) return { kind: 'none' }
  if (spec.sub) {
    if (index === 1) return { kind: 'sub', sub: Object.keys(spec.sub) }
    const sub = spec.sub[words[1]!]
    return { kind: pick(sub?.complete, index - 2) }
  }
  const previous = words[index - 1]
  if (previous === 'to' || previous === 'from') return { kind: 'group' }
  const kind = pick(spec.complete, index - 1)
  // `as <id> <command…>` and `on <target> <command…>`: the rest is a command of its own.
  if (kind === 'command') return { kind: 'command', offset: index - 1 }
  return { kind }
}

function pick(kinds: CompletionKind[] | undefined, i: number): CompletionKind {
  if (!kinds || kinds.length === 0) return 'none'
  return kinds[Math.min(i, kinds.length - 1)]!
}

function files(cwd: string, word: string): string[] {
  const dirPart = word.includes('/') ? word.slice(0, word.lastIndexOf('/') + 1) : ''
  try {
    return readdirSync(resolve(cwd, dirPart || '.'))
      .filter((name) => !name.startsWith('.') || word.slice(dirPart.length).startsWith('.'))
      .map((name) => {
        const path = dirPart + name
        let isDir = false
        try {
          isDir = statSync(resolve(cwd, path)).isDirectory()
        } catch {
          // a dangling link: offer it as a file
        }
        return isDir ? path + '/' : path
      })
  } catch {
    return []
  }
}

export function candidatesFor(state: ShellState, cwd: string, words: string[], index: number): string[] {
  const at = kindAt(words, index)
  if (at.kind === 'command' && at.offset !== undefined && at.offset > 0) {
    return candidatesFor(state, cwd, words.slice(at.offset + 1), index - at.offset - 1)
  }
  switch (at.kind) {
    case 'command':
      return [...COMMANDS.keys()]
    case 'sub':
      return at.sub ?? []
    case 'target':
      return state.targetNames()
    case 'group':
      return [...state.groups.keys()]
    case 'identity':
      return [...state.identities.keys()]
    case 'file':
      return files(cwd, words[index] ?? '')
    default:
      return []
  }
}

function commonPrefix(list: string[]): string {
  let prefix = list[0] ?? ''
  for (const s of list) while (!s.startsWith(prefix)) prefix = prefix.slice(0, -1)
  return prefix
}

/** Completes the last word of `line` (the cursor is at its end). */
export function complete(state: ShellState, cwd: string, line: string): Completion {
  const start = Math.max(line.lastIndexOf(' '), line.lastIndexOf(';')) + 1
  const before = line.slice(0, start)
  const word = line.slice(start)
  const statement = before.slice(before.lastIndexOf(';') + 1)
  const words = statement.split(/\s+/).filter((w) => w !== '')
  const matches = [...new Set(candidatesFor(state, cwd, [...words, word], words.length))]
    .filter((c) => c.startsWith(word))
    .sort()
  if (matches.length === 0) return { line, candidates: [] }
  if (matches.length === 1) {
    const only = matches[0]!
    return { line: before + only + (only.endsWith('/') ? '' : ' '), candidates: [] }
  }
  const prefix = commonPrefix(matches)
  return { line: before + prefix, candidates: prefix.length > word.length ? [] : matches }
}
