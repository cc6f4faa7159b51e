// Validation at the edge: each call's arguments (the CALL_SIGNATURES table); request-shape.ts checks the request
// around them. Everything past this point may trust the types.
import { KeyFileError, PUBLIC_KEY_TEXT_LENGTH, decodePublicKeyText } from '../keys/key-text.js'
import { NodeError } from './errors.js'
import { MAX_FILE_BYTES } from './wire.js'

export type Tier = 'public' | 'user' | 'owner'

/** What one argument must be, and the TypeScript type it has once validated. */
interface ArgKinds {
  vessel: string
  /** any Repy file name (may be private_*) */
  filename: string
  /** a Repy file name that is not private_* */
  userFilename: string
  programArgs: string[]
  bytes: Uint8Array
  boolean: boolean
  key: string
  keyList: string[]
  ownerInfo: string
  restrictionsText: string
  offset: number
}
export type ArgKind = keyof ArgKinds

export interface ArgSpec {
  readonly name: string
  readonly kind: ArgKind
}

export interface CallSignature {
  readonly tier: Tier
  readonly args: readonly ArgSpec[]
  readonly description: string
}

const arg = <N extends string, K extends ArgKind>(name: N, kind: K) => ({ name, kind }) as const
const vessel = arg('vessel', 'vessel')

/** Every call of the protocol (Seattle's names and permission tiers, plus TailVesselLog and GetVesselUsage). */
export const CALL_SIGNATURES = {
  GetVessels: {
    tier: 'public',
    args: [],
    description: 'node identity and the list of vessels with owner, users and status',
  },
  GetVesselResources: { tier: 'public', args: [vessel], description: "the vessel's restrictions file" },
  GetOffcutResources: { tier: 'public', args: [], description: 'the per-vessel offcut as a restrictions file' },
  StartVessel: {
    tier: 'user',
    args: [vessel, arg('program', 'filename'), arg('args', 'programArgs')],
    description: 'run a program file of the vessel with the given arguments',
  },
  StopVessel: { tier: 'user', args: [vessel], description: 'stop the running program' },
  ResetVessel: {
    tier: 'user',
    args: [vessel],
    description: 'stop the program, delete its files (except private_*) and log; status Fresh',
  },
  AddFileToVessel: {
    tier: 'user',
    args: [vessel, arg('filename', 'userFilename'), arg('data', 'bytes')],
    description: 'write a file into the vessel (replaces an existing one)',
  },
  RetrieveFileFromVessel: {
    tier: 'user',
    args: [vessel, arg('filename', 'userFilename')],
    description: 'read a file of the vessel',
  },
  ListFilesInVessel: {
    tier: 'user',
    args: [vessel],
    description: 'the file names of the vessel, sorted, private_* hidden',
  },
  DeleteFileInVessel: {
    tier: 'user',
    args: [vessel, arg('filename', 'userFilename')],
    description: 'delete a file of the vessel',
  },
  ReadVesselLog: { tier: 'user', args: [vessel], description: "the end of the vessel's log" },
  TailVesselLog: {
    tier: 'user',
    args: [vessel, arg('fromOffset', 'offset')],
    description: 'log bytes written since a byte offset, and the offset to ask from next',
  },
  GetVesselUsage: {
    tier: 'user',
    args: [vessel],
    description: "the running program's live resource usage against its limits",
  },
  ChangeUsers: { tier: 'owner', args: [vessel, arg('keys', 'keyList')], description: "replace the vessel's user keys" },
  ChangeOwner: {
    tier: 'owner',
    args: [vessel, arg('key', 'key')],
    description: 'give the vessel to another owner key',
  },
  ChangeOwnerInformation: {
    tier: 'owner',
    args: [vessel, arg('info', 'ownerInfo')],
    description: 'set the owner information text (≤ 256 characters, one line)',
  },
  ChangeAdvertise: {
    tier: 'owner',
    args: [vessel, arg('advertise', 'boolean')],
    description: "whether the vessel's keys are advertised",
  },
  SplitVessel: {
    tier: 'owner',
    args: [vessel, arg('restrictions', 'restrictionsText')],
    description: 'split off a new vessel with the given restrictions; answers [leftover, new] vessel names',
  },
  JoinVessels: {
    tier: 'owner',
    args: [arg('vessel1', 'vessel'), arg('vessel2', 'vessel')],
    description: 'merge two vessels of the same owner into a new one; answers its name',
  },
} as const satisfies Record<string, CallSignature>

export type CallName = keyof typeof CALL_SIGNATURES

type ArgsOf<S extends readonly ArgSpec[]> = {
  -readonly [I in keyof S]: S[I] extends { kind: infer K extends ArgKind } ? ArgKinds[K] : never
}
/** The validated argument tuple of a call, e.g. CallArgs<'StartVessel'> = [string, string, string[]]. */
export type CallArgs<C extends CallName> = ArgsOf<(typeof CALL_SIGNATURES)[C]['args']>
/** A call with validated arguments; switching on `call` narrows `args`. */
export type ValidCall = { [C in CallName]: { call: C; args: CallArgs<C> } }[CallName]

export const MAX_PROGRAM_ARGS = 256
export const MAX_PROGRAM_ARGS_CHARS = 64 * 1024
export const MAX_USER_KEYS = 256
export const MAX_OWNER_INFO = 256
export const MAX_RESTRICTIONS_TEXT = 64 * 1024
export const MAX_FILENAME_LENGTH = 120

const FILENAME = /^[a-z0-9_-][a-z0-9._-]*$/
const VESSEL_NAME = /^v[1-9][0-9]{0,8}$/

/** Repy's file-name rule: a-z 0-9 . _ -, at most 120 characters, not starting with a dot (so not '.' or '..'). */
export function isValidFilename(name: string): boolean {
  return name.length <= MAX_FILENAME_LENGTH && FILENAME.test(name)
}

export function isValidVesselName(name: string): boolean {
  return VESSEL_NAME.test(name)
}

export function isCallName(call: string): call is CallName {
  return Object.hasOwn(CALL_SIGNATURES, call)
}

/** The signature of a call, or E_UNKNOWN_CALL. */
export function callSignature(call: string): CallSignature & { name: CallName } {
  if (!isCallName(call)) throw new NodeError('E_UNKNOWN_CALL', `unknown call '${call.slice(0, 64)}'`)
  return { name: call, ...CALL_SIGNATURES[call] }
}

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`
  if (Array.isArray(value)) return `a list of ${value.length}`
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
  if (value === null || typeof value !== 'object') return String(value)
  return 'a map'
}

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string')

type Checker<K extends ArgKind> = (value: unknown, bad: (expected: string) => never) => ArgKinds[K]

const CHECKERS: { [K in ArgKind]: Checker<K> } = {
  vessel: (v, bad) => (typeof v === 'string' && isValidVesselName(v) ? v : bad('a vessel name like v1')),
  filename: (v, bad) => (typeof v === 'string' && isValidFilename(v) ? v : bad(FILENAME_RULE)),
  userFilename: (v, bad) => {
    if (typeof v !== 'string' || !isValidFilename(v)) return bad(FILENAME_RULE)
    if (v.startsWith('private_'))
      throw new NodeError('E_PERMISSION', `files named private_* are reserved for the node: ${v}`)
    return v
  },
  programArgs: (v, bad) => {
    if (!isStringList(v) || v.length > MAX_PROGRAM_ARGS || v.some((s) => s.includes('\0'))) {
      return bad(`a list of at most ${MAX_PROGRAM_ARGS} strings without NUL characters`)
    }
    if (v.reduce((n, s) => n + s.length, 0) > MAX_PROGRAM_ARGS_CHARS)
      return bad(`at most ${MAX_PROGRAM_ARGS_CHARS} characters in all`)
    return v
  },
  bytes: (v, bad) => {
    if (!(v instanceof Uint8Array)) return bad('bytes')
    if (v.length > MAX_FILE_BYTES)
      throw new NodeError('E_SIZE', `file data is ${v.length} bytes; the limit is ${MAX_FILE_BYTES}`)
    return v
  },
  boolean: (v, bad) => (typeof v === 'boolean' ? v : bad('true or false')),
  key: (v, bad) => (typeof v === 'string' && isValidKeyText(v) ? v : bad('a public key text "ed25519-pub <base64>"')),
  keyList: (v, bad) =>
    isStringList(v) && v.length <= MAX_USER_KEYS && v.every(isValidKeyText)
      ? v
      : bad(`a list of at most ${MAX_USER_KEYS} public key texts "ed25519-pub <base64>"`),
  ownerInfo: (v, bad) =>
    typeof v === 'string' && v.length <= MAX_OWNER_INFO && !/[\r\n]/.test(v)
      ? v
      : bad(`one line of at most ${MAX_OWNER_INFO} characters`),
  restrictionsText: (v, bad) =>
    typeof v === 'string' && v.length <= MAX_RESTRICTIONS_TEXT
      ? v
      : bad(`restrictions text of at most ${MAX_RESTRICTIONS_TEXT} characters`),
  offset: (v, bad) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : bad('a whole number ≥ 0')),
}

const FILENAME_RULE = `a file name of a-z 0-9 . _ - (at most ${MAX_FILENAME_LENGTH} characters, not starting with '.')`

function isValidKeyText(text: string): boolean {
  if (text.length > PUBLIC_KEY_TEXT_LENGTH) return false
  try {
    decodePublicKeyText(text)
    return text === text.trim()
  } catch (err) {
    if (err instanceof KeyFileError) return false
    throw err
  }
}

/** Checks a call's arguments against CALL_SIGNATURES: E_UNKNOWN_CALL, or E_USAGE naming the argument. */
export function validateCall(call: string, args: readonly unknown[]): ValidCall {
  const signature = callSignature(call)
  const names = signature.args.map((a) => a.name)
  if (args.length !== names.length) {
    const list =
      names.length === 0
        ? 'no arguments'
        : `${names.length} argument${names.length > 1 ? 's' : ''} (${names.join(', ')})`
    throw new NodeError('E_USAGE', `${call} takes ${list}, got ${args.length}`)
  }
  const checked = signature.args.map((spec, i) => {
    const bad = (expected: string): never => {
      throw new NodeError('E_USAGE', `${call}: argument '${spec.name}' must be ${expected}, got ${describe(args[i])}`)
    }
    return (CHECKERS[spec.kind] as Checker<ArgKind>)(args[i], bad)
  })
  return { call: signature.name, args: checked } as ValidCall
}
