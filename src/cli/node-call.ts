// `flotilla node call <multiaddr> <Request> [args...]`: any request, arguments parsed by the call's signature:
// file data and restrictions from @path or a literal; lists comma-separated; booleans true/false; keys as key text,
// a key name in --keys, or @path of a .publickey file. Exit codes: 0 ok, 1 refused, 2 usage, 3 unreachable.
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import type { NodeClient } from '../client/node-client.js'
import { KeyFileError, PUBLIC_KEY_SUFFIX, publicKeyText, parsePublicKeyText, type KeyPair } from '../keys/key-files.js'
import { keyRefBase, loadKeyPairRef } from '../keys/key-ref.js'
import { NodeError } from '../protocol/errors.js'
import type { ArgValue } from '../protocol/messages.js'
import { CALL_SIGNATURES, isCallName, type ArgSpec } from '../protocol/validate.js'
import { DEFAULT_KEYS_DIR } from '../node/node-paths.js'
import { answerText, toJson } from './node-format.js'
import { UsageError, keyErrorsAsUsage, positiveNumber } from './usage-error.js'

export const EXIT_REFUSED = 1
export const EXIT_UNREACHABLE = 3

function fileOrLiteral(word: string): Buffer {
  if (!word.startsWith('@')) return Buffer.from(word, 'utf8')
  try {
    return readFileSync(word.slice(1))
  } catch {
    throw new UsageError(`cannot read the file '${word.slice(1)}'`)
  }
}

/** A key argument: the key's text itself (`ed25519-pub …`), @file, or a key named as every command names one. */
function keyText(word: string, keysDir: string): string {
  const [text, source] = word.startsWith('@')
    ? [fileOrLiteral(word).toString('utf8'), word.slice(1)]
    : word.includes(' ')
      ? [word, 'the key text']
      : [readPublicKeyFile(keyRefBase(word, keysDir) + PUBLIC_KEY_SUFFIX), word]
  return publicKeyText(parsePublicKeyText(text, source))
}

function readPublicKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    throw new KeyFileError(path, 'no such key file (name a key in --keys, give a path, or paste the key text)')
  }
}

function parseArg(spec: ArgSpec, word: string, keysDir: string): ArgValue {
  switch (spec.kind) {
    case 'bytes':
      return new Uint8Array(fileOrLiteral(word))
    case 'restrictionsText':
      return fileOrLiteral(word).toString('utf8')
    case 'boolean':
      if (word !== 'true' && word !== 'false') throw new UsageError(`${spec.name} must be true or false, not '${word}'`)
      return word === 'true'
    case 'offset': {
      const n = Number(word)
      if (!Number.isSafeInteger(n) || n < 0)
        throw new UsageError(`${spec.name} must be a whole number ≥ 0, not '${word}'`)
      return n
    }
    case 'keyList':
      return word === '' ? [] : word.split(',').map((w) => keyText(w.trim(), keysDir))
    case 'key':
      return keyText(word, keysDir)
    case 'programArgs':
      return word === '' ? [] : word.split(',')
    default:
      return word
  }
}

/** The argument list of a call from command-line words. A trailing program-args list may also be given as words. */
export function parseCallArgs(call: string, words: string[], keysDir: string): ArgValue[] {
  if (!isCallName(call)) {
    throw new UsageError(`unknown request '${call}'; requests: ${Object.keys(CALL_SIGNATURES).join(', ')}`)
  }
  const specs = CALL_SIGNATURES[call].args as readonly ArgSpec[]
  const last = specs[specs.length - 1]
  const variadic = last?.kind === 'programArgs'
  const fixed = variadic ? specs.length - 1 : specs.length
  if (words.length < fixed || (!variadic && words.length > fixed)) {
    const names = specs.map((s) => (s.kind === 'programArgs' ? `[${s.name}...]` : `<${s.name}>`)).join(' ')
    throw new UsageError(`${call} takes ${names || 'no arguments'}`)
  }
  const args = specs.slice(0, fixed).map((spec, i) => parseArg(spec, words[i]!, keysDir))
  if (variadic) {
    const rest = words.slice(fixed)
    args.push(rest.length === 1 ? parseArg(last, rest[0]!, keysDir) : rest)
  }
  return args
}

interface CallCommandOptions {
  key?: string
  keys: string
  json?: boolean
  timeout: string
}

export function registerNodeCall(node: Command): void {
  node
    .command('call')
    .description('Send one request to a node manager and print the answer')
    .argument('<multiaddr>', 'the node, e.g. /ip4/127.0.0.1/tcp/1224/p2p/12D3KooW...')
    .argument('<request>', `one of ${Object.keys(CALL_SIGNATURES).join(', ')}`)
    .argument('[args...]', "the request's arguments (data: @file or text; lists: a,b,c; booleans: true/false)")
    .option(
      '--key <name|path>',
      'sign with this key pair: a name in --keys, or a path (needed for user and owner requests)',
    )
    .option('--keys <dir>', 'folder of key files', DEFAULT_KEYS_DIR)
    .option('--json', 'print the answer as JSON')
    .option('--timeout <seconds>', 'give up after this long', '15')
    .addHelpText(
      'after',
      `
Exit status: 0 ok, 1 the node refused (prints E_CODE: message), 2 usage mistake, 3 node unreachable or no answer.
Examples:
  flotilla node call /ip4/127.0.0.1/tcp/1224/p2p/12D3KooW... GetVessels
  flotilla node call <addr> AddFileToVessel v1 hello.js @examples/hello.js --key owner
  flotilla node call <addr> StartVessel v1 hello.js arg1 arg2 --key owner`,
    )
    .action(async (address: string, call: string, words: string[], options: CallCommandOptions) => {
      const timeoutMs = positiveNumber(options.timeout, '--timeout', false)! * 1000
      const [args, identity] = await keyErrorsAsUsage(
        async () =>
          [
            parseCallArgs(call, words, options.keys),
            options.key === undefined ? undefined : await loadKeyPairRef(options.key, options.keys),
          ] as const,
      )
      process.exit(await callOnce(address, call, args, { identity, timeoutMs, json: options.json === true }))
    })
}

async function callOnce(
  address: string,
  call: string,
  args: ArgValue[],
  options: { identity?: KeyPair; timeoutMs: number; json: boolean },
): Promise<number> {
  let client: NodeClient | undefined
  try {
    // libp2p loads only when a call is made: every other `node` subcommand registers this one too.
    const { NodeClient } = await import('../client/node-client.js')
    client = await NodeClient.connect(address, { identity: options.identity, timeoutMs: options.timeoutMs })
    const value = await client.callRaw(call, args)
    if (options.json) process.stdout.write(toJson(value) + '\n')
    else process.stdout.write(answerText(call, value))
    return 0
  } catch (err) {
    if (!(err instanceof NodeError)) throw err
    if (err.code === 'E_USAGE' && client === undefined) throw new UsageError(err.message)
    if (options.json) process.stdout.write(toJson({ error: err.code, message: err.message }) + '\n')
    process.stderr.write(`${err.code}: ${err.message}\n`)
    return err.code === 'E_UNREACHABLE' || err.code === 'E_TIMEOUT' ? EXIT_UNREACHABLE : EXIT_REFUSED
  } finally {
    await client?.close().catch(() => undefined)
  }
}
