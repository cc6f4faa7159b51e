// The command table: every command of the shell, and help.
import type { CommandSpec } from './command.js'
import { pause } from './fanout.js'
import { FILE_COMMANDS } from './files.js'
import { KEY_COMMANDS } from './keys.js'
import { LIFECYCLE_COMMANDS } from './lifecycle.js'
import { OWNER_COMMANDS } from './owner.js'
import { SET, SHOW } from './show.js'
import { STATE_COMMANDS } from './state.js'
import { TARGET_COMMANDS } from './targets.js'
import { CommandError } from './types.js'

const help: CommandSpec = {
  name: 'help',
  usage: 'help [command]',
  complete: ['command'],
  summary: 'list the commands, or explain one',
  run: (_ctx, args) => ({ lines: helpLines(args), data: { help: args.join(' ') || null } }),
}

const MAX_SLEEP_SECONDS = 3600

const sleep: CommandSpec = {
  name: 'sleep',
  usage: 'sleep <seconds>',
  complete: ['none'],
  summary: 'wait a while (in a script: let programs run before `show log`)',
  run: async (ctx, args) => {
    const seconds = Number(args[0])
    if (
      args.length !== 1 ||
      args[0] === '' ||
      !Number.isFinite(seconds) ||
      seconds < 0 ||
      seconds > MAX_SLEEP_SECONDS
    ) {
      throw new CommandError(`usage: sleep <seconds> (a number from 0 to ${MAX_SLEEP_SECONDS})`)
    }
    await pause(seconds * 1000, ctx.signal)
    return { data: { seconds } }
  },
}

const exit: CommandSpec = {
  name: 'exit',
  usage: 'exit',
  summary: 'leave the shell (also quit)',
  run: () => ({ exit: true }),
}

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(
  [
    ...KEY_COMMANDS,
    ...TARGET_COMMANDS,
    ...FILE_COMMANDS,
    ...LIFECYCLE_COMMANDS,
    ...OWNER_COMMANDS,
    SET,
    SHOW,
    ...STATE_COMMANDS,
    sleep,
    help,
    exit,
  ].map((c) => [c.name, c]),
)
const ALIASES: Record<string, string> = { quit: 'exit', '?': 'help' }

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.get(ALIASES[name] ?? name)
}

/** The spec that handles `words` (descending into set/show), and the remaining arguments. */
export function lookup(words: string[]): { spec: CommandSpec; args: string[]; path: string } {
  const top = findCommand(words[0]!)
  if (!top) throw new CommandError(`unknown command '${words[0]}' (type \`help\` for the list)`)
  if (!top.sub) return { spec: top, args: words.slice(1), path: top.name }
  const subName = words[1]
  if (subName === undefined) throw new CommandError(`usage: ${top.usage}`)
  const sub = top.sub[subName]
  if (!sub) throw new CommandError(`unknown '${top.name} ${subName}': one of ${Object.keys(top.sub).join(', ')}`)
  return { spec: sub, args: words.slice(2), path: `${top.name} ${sub.name}` }
}

function helpLines(args: string[]): string[] {
  if (args.length === 0) {
    const width = Math.max(...[...COMMANDS.values()].map((c) => (c.usage.length > 48 ? 0 : c.usage.length)))
    return [
      'Commands (targets: vessel names like abc123:v1, %N ids, groups, %all; `help <command>` for more):',
      ...[...COMMANDS.values()].map(
        (c) => `  ${c.usage.length > 48 ? `${c.name} …`.padEnd(width) : c.usage.padEnd(width)}  ${c.summary}`,
      ),
    ]
  }
  const top = findCommand(args[0]!)
  if (!top) throw new CommandError(`no command '${args[0]}' (type \`help\` for the list)`)
  if (top.sub) {
    const sub = args[1] !== undefined ? top.sub[args[1]] : undefined
    if (sub) return [sub.usage, `  ${sub.summary}`, ...(sub.help ?? []).map((l) => `  ${l}`)]
    return [
      `${top.name}: ${top.summary}`,
      ...Object.values(top.sub).map((s) => `  ${s.usage.padEnd(34)}  ${s.summary}`),
    ]
  }
  return [top.usage, `  ${top.summary}`, ...(top.help ?? []).map((l) => `  ${l}`)]
}
