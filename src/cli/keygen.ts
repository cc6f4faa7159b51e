// `flotilla keygen <name> [--dir keys] [--force] [--json]`: a new Ed25519 key pair as two key files.
import type { Command } from 'commander'
import { KeyFileError, generateKeyFiles, isValidKeyName } from '../keys/key-files.js'
import { UsageError } from './usage-error.js'
import { DEFAULT_KEYS_DIR } from '../node/node-paths.js'

interface KeygenOptions {
  dir: string
  force?: boolean
  json?: boolean
}

export function registerKeygen(program: Command, out: (text: string) => void = (t) => process.stdout.write(t)): void {
  program
    .command('keygen')
    .description('Generate an Ed25519 key pair: <name>.publickey and <name>.privatekey (mode 0600)')
    .argument('<name>', 'key name (letters, digits, ._-), used for the file names')
    .option('--dir <dir>', 'folder for the key files', DEFAULT_KEYS_DIR)
    .option('--force', 'overwrite an existing key pair of that name')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Exit status: 0 written, 2 a bad name or a pair of that name exists already (--force overwrites it).`,
    )
    .action(async (name: string, options: KeygenOptions) => {
      if (!isValidKeyName(name)) {
        throw new UsageError(
          `invalid key name '${name}': use letters, digits, '.', '_' or '-' (not starting with '.', at most 64)`,
        )
      }
      let pair
      try {
        pair = await generateKeyFiles(options.dir, name, { force: options.force === true })
      } catch (err) {
        if (err instanceof KeyFileError) throw new UsageError(err.message)
        throw err
      }
      const result = {
        name,
        publicKeyFile: pair.publicKeyFile,
        privateKeyFile: pair.privateKeyFile,
        publicKey: pair.publicKeyText,
      }
      out(
        options.json
          ? JSON.stringify(result) + '\n'
          : `wrote ${result.publicKeyFile}\nwrote ${result.privateKeyFile}\npublic key: ${result.publicKey}\n`,
      )
    })
}
