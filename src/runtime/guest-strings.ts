// Long strings between the host and QuickJS, through QuickJS's binary object format (its bjson). quickjs-emscripten
// passes strings as UTF-8 C strings, converted character by character in JavaScript on both sides: for a 4 KiB
// recv or send that was most of the call's cost. In the binary format a string is a short header and its
// characters, one byte each (or UTF-16 units for a string with wider characters), copied by Node and QuickJS at
// memory speed, NUL included. The format is QuickJS's own and may change between its versions: it is checked
// against QuickJS's own encoding when a context starts, and not used if it differs. A string for the guest is
// written straight into the module's memory, where QuickJS reads it: no ArrayBuffer on the host (making one cost
// more than the copies).
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten'
import { slowKinds, type ValueKinds } from './host-function.js'
import { ownedHandle, quickJSInternals, type QuickJSInternals } from './quickjs-internals.js'
import { WIDE_CHAR } from './api/validate.js'
import type { OutBytes } from './guest-value.js'

/** Shorter strings go the usual way: for them the binary format's fixed costs are not worth it. */
export const SHORT_STRING = 128

/** The longest encoding written into the context's scratch ArrayBuffer (GuestStrings.scratchFor); a longer one gets
 *  an ArrayBuffer of its own. */
const SCRATCH_MAX_BYTES = 64 * 1024 + 8

const VERSION_ATOMS_TAG = [5, 0, 7] // format version, no atoms, a string

/** The length of the header before the characters of a bjson string value of `length` characters. */
function headerLength(length: number, wide: boolean): number {
  let n = VERSION_ATOMS_TAG.length + 1
  for (let v = lengthField(length, wide); v >= 128; v = Math.floor(v / 128)) n++
  return n
}

/** Writes that header into `bytes` at `at` (a LEB128 of the length field after the tag), in place: it is written
 *  for every string the guest receives. Returns its length. */
function writeHeader(bytes: Uint8Array, at: number, length: number, wide: boolean): number {
  bytes[at] = VERSION_ATOMS_TAG[0]!
  bytes[at + 1] = VERSION_ATOMS_TAG[1]!
  bytes[at + 2] = VERSION_ATOMS_TAG[2]!
  let i = at + VERSION_ATOMS_TAG.length
  let v = lengthField(length, wide)
  for (; v >= 128; v = Math.floor(v / 128)) bytes[i++] = (v % 128) | 0x80
  bytes[i] = v
  return i + 1 - at
}

const lengthField = (length: number, wide: boolean): number => length * 2 + (wide ? 1 : 0)

/** The encoding of `s` as a bjson string value, in an ArrayBuffer of its own. */
function encode(s: string): Buffer {
  const wide = WIDE_CHAR.test(s)
  const out = Buffer.from(new ArrayBuffer(headerLength(s.length, wide) + s.length * (wide ? 2 : 1)))
  out.write(s, writeHeader(out, 0, s.length, wide), wide ? 'utf16le' : 'latin1')
  return out
}

/** The string a bjson string value holds, or null if `bytes` is not one. */
function decode(bytes: Uint8Array): string | null {
  if (bytes[0] !== VERSION_ATOMS_TAG[0] || bytes[1] !== VERSION_ATOMS_TAG[1] || bytes[2] !== VERSION_ATOMS_TAG[2])
    return null
  let v = 0
  let scale = 1
  let at = 3
  for (;;) {
    if (at >= bytes.length || at > 8) return null
    const b = bytes[at++]!
    v += (b & 0x7f) * scale
    if (b < 0x80) break
    scale *= 128
  }
  const wide = v % 2 === 1
  const length = Math.floor(v / 2)
  if (bytes.length - at !== length * (wide ? 2 : 1)) return null
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, bytes.length - at).toString(wide ? 'utf16le' : 'latin1')
}

/** A guest ArrayBuffer and where its bytes are in the module's memory. */
interface ArrayBufferAt {
  handle: QuickJSHandle
  ptr: number
}

export class GuestStrings {
  /** Whether this QuickJS writes strings as encode() does. */
  readonly enabled: boolean
  private readonly q: QuickJSInternals | null
  /** The module's memory as a Buffer, made again when the memory grows. */
  private heap: Buffer | null = null
  /** An ArrayBuffer in the module's memory that strings for the guest are written into and decoded from, kept and
   *  reused: QuickJS decodes one value from an ArrayBuffer's start and ignores what follows it. A malloc, an
   *  ArrayBuffer and their frees for every string were a tenth of a 4 KiB recv. Never reachable by guest code. */
  private scratch: (ArrayBufferAt & { size: number }) | null = null

  constructor(
    private readonly ctx: QuickJSContext,
    private readonly kinds: ValueKinds = slowKinds(ctx),
  ) {
    this.q = quickJSInternals(ctx)
    this.enabled = ['', 'a\xff', 'x'.repeat(300), 'wide \u0100'].every((s) => {
      const ours = encode(s)
      const theirs = ctx.newString(s).consume((h) => this.read(h, (bytes) => Buffer.from(bytes)))
      return theirs !== null && Buffer.compare(ours, theirs) === 0 && decode(ours) === s
    })
  }

  /** A guest string holding `s`, or null when the guest is out of memory. */
  toGuest(s: string): QuickJSHandle | null {
    if (!this.q)
      return this.checked(
        this.ctx.newArrayBuffer(encode(s).buffer).consume((buffer) => this.ctx.decodeBinaryJSON(buffer)),
      )
    return this.checked(this.decodeInPlace(this.q, s, s.length, WIDE_CHAR.test(s)))
  }

  /** A guest string of the bytes `out`, which are taken once it is made; null (and nothing taken) when the guest is
   *  out of memory. */
  bytesToGuest(out: OutBytes): QuickJSHandle | null {
    const h = this.q ? this.checked(this.decodeInPlace(this.q, out, out.length, false)) : this.toGuest(out.peek())
    if (h) out.take()
    return h
  }

  /** `h` if it is a string (what a string's encoding decodes to); else null. */
  private checked(h: QuickJSHandle | null): QuickJSHandle | null {
    if (h === null || this.kinds.kindOf(h) === 'string') return h
    h.dispose()
    return null
  }

  /** A guest string of `source`'s `length` characters (one byte each, or two if `wide`), written into the module's
   *  memory after its header, in an ArrayBuffer there, and decoded by QuickJS. */
  private decodeInPlace(
    q: QuickJSInternals,
    source: string | OutBytes,
    length: number,
    wide: boolean,
  ): QuickJSHandle | null {
    const size = headerLength(length, wide) + length * (wide ? 2 : 1)
    const scratch = this.scratchFor(q, size)
    const own = scratch ? null : this.newArrayBuffer(q, size)
    const buffer = scratch ?? own
    if (!buffer) return null
    this.write(q, buffer.ptr, source, length, wide)
    const h = ownedHandle(q, q.ffi.QTS_bjson_decode(q.ctxPtr, buffer.handle.value))
    own?.handle.dispose()
    return h
  }

  /** The scratch ArrayBuffer, made or grown to hold `size` bytes; null when `size` is past its limit or the guest is
   *  out of memory. */
  private scratchFor(q: QuickJSInternals, size: number): ArrayBufferAt | null {
    if (this.scratch && this.scratch.size >= size) return this.scratch
    if (size > SCRATCH_MAX_BYTES) return null
    const grown = Math.min(SCRATCH_MAX_BYTES, Math.max(size, 2 * (this.scratch?.size ?? 2048)))
    const made = this.newArrayBuffer(q, grown)
    if (!made) return null
    this.scratch?.handle.dispose()
    this.scratch = { ...made, size: grown }
    return this.scratch
  }

  /** A guest ArrayBuffer of `size` bytes of the module's memory (freed with it); null when out of memory. */
  private newArrayBuffer(q: QuickJSInternals, size: number): ArrayBufferAt | null {
    const ptr = q.module._malloc(size)
    if (ptr === 0) return null
    const handle = ownedHandle(q, q.ffi.QTS_NewArrayBuffer(q.ctxPtr, ptr, size))
    if (!this.kinds.isObject(handle)) {
      q.module._free(ptr) // no ArrayBuffer took it
      handle.dispose()
      return null
    }
    return { handle, ptr }
  }

  /** Writes the encoding of `source` (`length` characters) into the module's memory at `ptr`. */
  private write(q: QuickJSInternals, ptr: number, source: string | OutBytes, length: number, wide: boolean): void {
    const heap = this.heapBuffer(q)
    const at = ptr + writeHeader(heap, ptr, length, wide)
    if (typeof source === 'string') heap.write(source, at, length * (wide ? 2 : 1), wide ? 'utf16le' : 'latin1')
    else source.copyTo(heap, at)
  }

  private heapBuffer(q: QuickJSInternals): Buffer {
    // A grown memory detaches its old buffer, whose views then have length 0. (Reading a view's buffer calls into
    // V8's runtime: two such reads were most of this method's cost.)
    if (this.heap === null || this.heap.length === 0) this.heap = Buffer.from(q.module.HEAPU8.buffer)
    return this.heap
  }

  /** The host string of the guest string `h`, or null if QuickJS did not write it as expected. */
  fromGuest(h: QuickJSHandle): string | null {
    return this.read(h, decode)
  }

  /** `use` of the encoding of the guest value `h` (a view of the guest's memory, valid only during the call). */
  private read<T>(h: QuickJSHandle, use: (bytes: Uint8Array) => T): T | null {
    const encoded = this.ctx.encodeBinaryJSON(h)
    if (!this.kinds.isObject(encoded)) {
      encoded.dispose()
      return null
    }
    return encoded.consume((buffer) => this.ctx.getArrayBuffer(buffer)).consume((view) => use(view.value))
  }
}
