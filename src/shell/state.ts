// savestate / loadstate: the shell's state (identities with their keys, nodes, targets, groups, defaults),
// encrypted for the current identity. The file is a header line `flotilla-state 1 <public key text>` followed by
// salt (16) | iv (12) | tag (16) | AES-256-GCM ciphertext of the state as JSON. The AES key is
// HKDF-SHA256(ikm = the identity's 32-byte Ed25519 seed, salt, info "flotilla shell state v1"); the header is the
// additional authenticated data, so it cannot be altered either.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import { publicKeyText, type KeyPair } from '../keys/key-files.js'
import type { VesselSummary } from '../protocol/results.js'
import type { CommandSpec, Ctx } from './command.js'
import { ShellState, type NodeRecord } from './model.js'
import { CommandError, type Identity } from './types.js'

const MAGIC = 'flotilla-state 1'
const INFO = 'flotilla shell state v1'

interface SavedState {
  identity: string | null
  target: string | null
  timeoutS: number
  concurrency: number
  nextId: number
  identities: Array<{ name: string; publicKey: string; privateKey?: string }>
  nodes: NodeRecord[]
  targets: Array<{ id: number; longName: string; peerId: string; vessel: string; info: VesselSummary | null }>
  groups: Record<string, string[]>
  /** absent in files saved before browse existed */
  bootstrap?: string[]
  mdns?: boolean
}

function aesKey(pair: KeyPair, salt: Uint8Array): Buffer {
  const seed = pair.privateKey.raw.subarray(0, 32)
  return Buffer.from(hkdfSync('sha256', seed, salt, INFO, 32))
}

export function encryptState(state: ShellState, pair: KeyPair): Buffer {
  const saved: SavedState = {
    identity: state.identity,
    target: state.target,
    timeoutS: state.timeoutS,
    concurrency: state.concurrency,
    nextId: state.nextId,
    identities: [...state.identities.values()].map((i) => ({
      name: i.name,
      publicKey: i.publicKeyText,
      ...(i.keyPair ? { privateKey: Buffer.from(i.keyPair.privateKey.raw).toString('base64') } : {}),
    })),
    nodes: [...state.nodes.values()],
    targets: [...state.targets.values()],
    groups: Object.fromEntries([...state.groups].map(([k, v]) => [k, [...v]])),
    bootstrap: [...state.bootstrap],
    mdns: state.mdns,
  }
  const header = Buffer.from(`${MAGIC} ${pair.publicKeyText}\n`)
  const salt = randomBytes(16)
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', aesKey(pair, salt), iv)
  cipher.setAAD(header)
  const body = Buffer.concat([cipher.update(JSON.stringify(saved), 'utf8'), cipher.final()])
  return Buffer.concat([header, salt, iv, cipher.getAuthTag(), body])
}

/** The public key a state file is encrypted for. */
export function stateKey(file: Buffer): string {
  const nl = file.indexOf(0x0a)
  const header = nl === -1 ? '' : file.subarray(0, nl).toString('utf8')
  if (!header.startsWith(MAGIC + ' ')) throw new CommandError('not a flotilla shell state file')
  return header.slice(MAGIC.length + 1)
}

export function decryptState(file: Buffer, pair: KeyPair): ShellState {
  const nl = file.indexOf(0x0a)
  const header = file.subarray(0, nl + 1)
  const rest = file.subarray(nl + 1)
  if (rest.length < 44) throw new CommandError('state file is truncated')
  const decipher = createDecipheriv('aes-256-gcm', aesKey(pair, rest.subarray(0, 16)), rest.subarray(16, 28))
  decipher.setAAD(header)
  decipher.setAuthTag(rest.subarray(28, 44))
  let json: string
  try {
    json = Buffer.concat([decipher.update(rest.subarray(44)), decipher.final()]).toString('utf8')
  } catch {
    throw new CommandError('cannot decrypt the state file (wrong key, or the file was altered)')
  }
  return restore(JSON.parse(json) as SavedState)
}

function restore(saved: SavedState): ShellState {
  const state = new ShellState()
  for (const i of saved.identities) {
    const identity: Identity = { name: i.name, publicKeyText: i.publicKey }
    if (i.privateKey !== undefined) {
      const privateKey = privateKeyFromRaw(Buffer.from(i.privateKey, 'base64'))
      if (privateKey.type !== 'Ed25519') throw new CommandError('state file holds a key that is not Ed25519')
      identity.keyPair = {
        name: i.name,
        privateKey,
        publicKey: privateKey.publicKey,
        publicKeyText: publicKeyText(privateKey.publicKey),
      }
    }
    state.addIdentity(identity)
  }
  for (const n of saved.nodes) state.nodes.set(n.peerId, n)
  for (const t of saved.targets) state.targets.set(t.longName, { ...t })
  for (const [k, v] of Object.entries(saved.groups)) state.groups.set(k, new Set(v))
  Object.assign(state, {
    identity: saved.identity,
    target: saved.target,
    timeoutS: saved.timeoutS,
    concurrency: saved.concurrency,
    nextId: saved.nextId,
    bootstrap: saved.bootstrap ?? [],
    mdns: saved.mdns ?? false,
  })
  return state
}

const savestate: CommandSpec = {
  name: 'savestate',
  usage: 'savestate <file>',
  complete: ['file'],
  summary: "save identities, targets, groups and settings, encrypted for the current identity's key",
  help: [
    "AES-256-GCM with a key derived by HKDF-SHA256 from the identity's Ed25519 private key; only that key can load it.",
  ],
  run: async (ctx, args) => {
    if (args.length !== 1) throw new CommandError(`usage: ${savestate.usage}`)
    const { keyPair, name } = ctx.state.signingIdentity()
    const path = ctx.path(args[0]!)
    await writeFile(path + '.tmp', encryptState(ctx.state, keyPair), { mode: 0o600 })
    await rename(path + '.tmp', path)
    return {
      lines: [`saved the shell state to ${args[0]} (encrypted for '${name}')`],
      data: { file: args[0], identity: name },
    }
  },
}

const loadstate: CommandSpec = {
  name: 'loadstate',
  usage: 'loadstate <file>',
  complete: ['file'],
  summary: 'replace the shell state by one saved with savestate (needs the key it was saved for)',
  run: async (ctx, args) => {
    if (args.length !== 1) throw new CommandError(`usage: ${loadstate.usage}`)
    const file = await readFile(ctx.path(args[0]!)).catch(() => {
      throw new CommandError(`cannot read state file: ${args[0]}`)
    })
    const key = stateKey(file)
    const current = ctx.state.currentIdentity()
    const candidates = [current, ...ctx.state.identities.values()].filter(
      (i): i is Identity => i?.keyPair !== undefined,
    )
    const owner = candidates.find((i) => i.publicKeyText === key)
    if (!owner?.keyPair) throw new CommandError(`${args[0]} was saved for another key: load that identity's keys first`)
    const loaded = decryptState(file, owner.keyPair)
    replaceState(ctx, loaded)
    return {
      lines: [
        `loaded ${loaded.targets.size} vessels, ${loaded.groups.size} groups and ${loaded.identities.size} identities from ${args[0]}`,
      ],
      data: { file: args[0], vessels: loaded.targets.size },
    }
  },
}

function replaceState(ctx: Ctx, loaded: ShellState): void {
  Object.assign(ctx.state, {
    identities: loaded.identities,
    nodes: loaded.nodes,
    targets: loaded.targets,
    groups: loaded.groups,
    identity: loaded.identity,
    target: loaded.target,
    timeoutS: loaded.timeoutS,
    concurrency: loaded.concurrency,
    nextId: loaded.nextId,
    bootstrap: loaded.bootstrap,
    mdns: loaded.mdns,
  })
}

export const STATE_COMMANDS: CommandSpec[] = [savestate, loadstate]
