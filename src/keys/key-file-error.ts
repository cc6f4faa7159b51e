// The error of a bad key file, apart from key-files.ts: the CLI's error handling needs the class without loading
// the key code (libp2p's crypto, about 0.1 s to import) in commands that never touch a key.

/** A key file (or key text) that is missing, malformed or does not match its pair. */
export class KeyFileError extends Error {
  override name = 'KeyFileError'
  constructor(
    readonly file: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}`, options)
  }
}
