// What signatures.ts needs of an Ed25519 implementation (ed25519-sodium.ts, ed25519-openssl.ts).

/** One implementation of Ed25519 over raw keys; `S` and `V` are its ready forms of a signing and a verifying key. */
export interface Ed25519Backend<S, V> {
  readonly name: 'libsodium' | 'openssl'
  signingKey(seed: Uint8Array): S
  sign(key: S, bytes: Uint8Array): Uint8Array
  /** null: a key no signature may be valid for (not a point of the curve, or of small order). */
  verifyingKey(raw: Uint8Array): V | null
  /** `sig` is 64 bytes. */
  verify(key: V, bytes: Uint8Array, sig: Uint8Array): boolean
}
