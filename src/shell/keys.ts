// Identity commands: loadkeys, loadpub, loadpriv, genkeys, as; show identities, show keys.
import { existsSync } from 'node:fs'
import { basename, dirname, isAbsolute, join } from 'node:path'
import {
  KeyFileError,
  PRIVATE_KEY_SUFFIX,
  PUBLIC_KEY_SUFFIX,
  generateKeyFiles,
  isValidKeyName,
  loadKeyPair,
  loadPrivateKey,
  loadPublicKey,
  publicKeyText,
} from '../keys/key-files.js'
import type { CommandSpec, Ctx, HandlerResult } from './command.js'
import { takeTrailing } from './parse.js'
import { CommandError, type Identity } from './types.js'

/** `fn` as a path without suffix (which may be given); a bare name not found in the working folder is looked up in
 *  keys/. */
function keyBase(ctx: Ctx, given: string, suffix: string): string {
  const fn = given.replace(/\.(publickey|privatekey)$/, '')
  const base = ctx.path(fn)
  if (existsSync(base + suffix) || isAbsolute(fn) || fn.includes('/')) return base
  const inKeys = ctx.path(join('keys', fn))
  return existsSync(inKeys + suffix) ? inKeys : base
}

function identityName(fn: string, as: string | undefined): string {
  const name = as ?? basename(fn).replace(/\.(publickey|privatekey)$/, '')
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name))
    throw new CommandError(`invalid identity name '${name}' (letters, digits, _ . -)`)
  return name
}

async function keyErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    if (err instanceof KeyFileError) throw new CommandError(err.message)
    throw err
  }
}

function remember(ctx: Ctx, identity: Identity, what: string): HandlerResult {
  const old = ctx.state.identities.get(identity.name)
  // Loading only one half keeps the other half if it matches.
  if (old && old.publicKeyText === identity.publicKeyText && !identity.keyPair && old.keyPair)
    identity = { ...identity, keyPair: old.keyPair }
  ctx.state.addIdentity(identity)
  const lines = [`loaded ${what} as identity '${identity.name}'`]
  if (ctx.state.identity === null) {
    ctx.state.identity = identity.name
    lines.push(`default identity is now '${identity.name}'`)
  }
  return { lines, data: { identity: identity.name, publicKey: identity.publicKeyText } }
}

function oneFile(args: string[], usage: string): { fn: string; as?: string } {
  const { rest, value } = takeTrailing(args, 'as')
  if (rest.length !== 1) throw new CommandError(`usage: ${usage}`)
  return { fn: rest[0]!, as: value }
}

const loadkeys: CommandSpec = {
  name: 'loadkeys',
  usage: 'loadkeys <file> [as <identity>]',
  complete: ['file', 'none', 'identity'],
  summary: 'load <file>.publickey and <file>.privatekey as an identity',
  help: ['A bare name not found in the working folder is looked up in keys/ (where `flotilla keygen` writes).'],
  run: async (ctx, args) => {
    const { fn, as } = oneFile(args, loadkeys.usage)
    const base = keyBase(ctx, fn, PUBLIC_KEY_SUFFIX)
    const pair = await keyErrors(() => loadKeyPair(dirname(base), basename(base)))
    const name = identityName(fn, as)
    return remember(ctx, { name, publicKeyText: pair.publicKeyText, keyPair: { ...pair, name } }, 'key pair')
  },
}

const loadpub: CommandSpec = {
  name: 'loadpub',
  usage: 'loadpub <file> [as <identity>]',
  complete: ['file', 'none', 'identity'],
  summary: 'load only <file>.publickey (enough to list and browse, not to sign)',
  run: async (ctx, args) => {
    const { fn, as } = oneFile(args, loadpub.usage)
    const base = keyBase(ctx, fn, PUBLIC_KEY_SUFFIX)
    const key = await keyErrors(() => loadPublicKey(base + PUBLIC_KEY_SUFFIX))
    return remember(ctx, { name: identityName(fn, as), publicKeyText: publicKeyText(key) }, 'public key')
  },
}

const loadpriv: CommandSpec = {
  name: 'loadpriv',
  usage: 'loadpriv <file> [as <identity>]',
  complete: ['file', 'none', 'identity'],
  summary: 'load <file>.privatekey (its public half is derived from it)',
  run: async (ctx, args) => {
    const { fn, as } = oneFile(args, loadpriv.usage)
    const base = keyBase(ctx, fn, PRIVATE_KEY_SUFFIX)
    const privateKey = await keyErrors(() => loadPrivateKey(base + PRIVATE_KEY_SUFFIX))
    const name = identityName(fn, as)
    const text = publicKeyText(privateKey.publicKey)
    const keyPair = { name, privateKey, publicKey: privateKey.publicKey, publicKeyText: text }
    return remember(ctx, { name, publicKeyText: text, keyPair }, 'private key')
  },
}

const genkeys: CommandSpec = {
  name: 'genkeys',
  usage: 'genkeys <file> [length] [as <identity>]',
  complete: ['file', 'none', 'none', 'identity'],
  summary: 'generate a new Ed25519 key pair, write <file>.publickey/.privatekey and load it',
  help: ['Ed25519 keys have a fixed size: a length (seash made RSA keys of that many bits) is accepted and ignored.'],
  run: async (ctx, args) => {
    const { rest, value: as } = takeTrailing(args, 'as')
    if (rest.length < 1 || rest.length > 2) throw new CommandError(`usage: ${genkeys.usage}`)
    const [fn, length] = rest as [string, string?]
    if (length !== undefined && !/^[0-9]+$/.test(length))
      throw new CommandError(`key length must be a number, got '${length}'`)
    const base = ctx.path(fn)
    if (!isValidKeyName(basename(base)))
      throw new CommandError(`invalid key file name '${basename(base)}' (letters, digits, ._-)`)
    const pair = await keyErrors(() => generateKeyFiles(dirname(base), basename(base)))
    const name = identityName(fn, as)
    const result = remember(
      ctx,
      { name, publicKeyText: pair.publicKeyText, keyPair: { ...pair, name } },
      'new key pair',
    )
    const lines = [`wrote ${pair.publicKeyFile} and ${pair.privateKeyFile}`, ...(result.lines ?? [])]
    if (length !== undefined) lines.push(`note: Ed25519 keys have a fixed size; length ${length} ignored`)
    return { ...result, lines }
  },
}

const as: CommandSpec = {
  name: 'as',
  usage: 'as <identity> [command]',
  complete: ['identity', 'command'],
  summary: 'set the default identity, or run one command as another identity',
  run: async (ctx, args) => {
    if (args.length < 1) throw new CommandError(`usage: ${as.usage}`)
    const [name, ...command] = args as [string, ...string[]]
    ctx.state.getIdentity(name)
    if (command.length === 0) {
      ctx.state.identity = name
      return { lines: [], data: { identity: name } }
    }
    const saved = ctx.state.identity
    ctx.state.identity = name
    try {
      return await ctx.nested(command, command.join(' '))
    } finally {
      // The nested command may have changed the default identity on purpose (e.g. `as x as y`); keep that.
      if (ctx.state.identity === name) ctx.state.identity = saved
    }
  },
}

export const showIdentities: CommandSpec = {
  name: 'identities',
  usage: 'show identities',
  summary: 'the loaded identities and which key halves they have',
  run: (ctx) => {
    const rows = [...ctx.state.identities.values()].map((id) => ({
      name: id.name,
      public: true,
      private: id.keyPair !== undefined,
      default: id.name === ctx.state.identity,
    }))
    const lines =
      rows.length === 0
        ? ['no identities loaded (loadkeys <name>)']
        : rows.map((r) => `${r.default ? '*' : ' '} ${r.name}  ${r.private ? 'public+private' : 'public only'}`)
    return { lines, data: rows }
  },
}

export const showKeys: CommandSpec = {
  name: 'keys',
  usage: 'show keys',
  summary: 'the public keys of the loaded identities',
  run: (ctx) => {
    const rows = [...ctx.state.identities.values()].map((id) => ({ name: id.name, publicKey: id.publicKeyText }))
    return {
      lines: rows.length === 0 ? ['no identities loaded'] : rows.map((r) => `${r.name}: ${r.publicKey}`),
      data: rows,
    }
  },
}

export const KEY_COMMANDS: CommandSpec[] = [loadkeys, loadpub, loadpriv, genkeys, as]
