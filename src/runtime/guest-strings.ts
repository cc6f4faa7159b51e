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

const VERSION_ATOMS_TAG = [5, 0, 7] // format version, no atoms, a string

/** The bytes before the characters of a bjson string value of `length` characters. */
function headerOf(length: number, wide: boolean): number[] {
  const header = [...VERSION_ATOMS_TAG]
  for (let v = length * 2 + (wide ? 1 : 0); ; v = Math.floor(v / 128)) {
    if (v < 128) {
      header.push(v)
      return header
    }
    header.push((v % 128) | 0x80)
  }
}

/** The encoding of `s` as a bjson string value, in an ArrayBuffer of its own. */
function encode(s: string): Buffer {
  const wide = WIDE_CHAR.test(s)
  const header = headerOf(s.length, wide)
  const out = Buffer.from(new ArrayBuffer(header.length + s.length * (wide ? 2 : 1)))
  out.set(header)
  out.write(s, header.length, wide ? 'utf16le' : 'latin1')
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

export class GuestStrings {
  /** Whether this QuickJS writes strings as encode() does. */
  readonly enabled: boolean
  private readonly q: QuickJSInternals | null
  /** The module's memory as a Buffer, made again when the memory grows. */
  private heap: Buffer | null = null

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
    const wide = WIDE_CHAR.test(s)
    const encoding = wide ? 'utf16le' : 'latin1'
    return this.checked(
      this.decodeInPlace(this.q, s.length, wide, (heap, at, size) => heap.write(s, at, size, encoding)),
    )
  }

  /** A guest string of the bytes `out`, which are taken once it is made; null (and nothing taken) when the guest is
   *  out of memory. */
  bytesToGuest(out: OutBytes): QuickJSHandle | null {
    const h = this.q
      ? this.checked(this.decodeInPlace(this.q, out.length, false, (heap, at) => out.copyTo(heap, at)))
      : this.toGuest(out.peek())
    if (h) out.take()
    return h
  }

  /** `h` if it is a string (what a string's encoding decodes to); else null. */
  private checked(h: QuickJSHandle | null): QuickJSHandle | null {
    if (h === null || this.kinds.kindOf(h) === 'string') return h
    h.dispose()
    return null
  }

  /** A string of `length` characters (one byte each, or two if `wide`), written by `write` into the module's memory
   *  after its header, given to QuickJS as an ArrayBuffer (which takes that memory) and decoded there. */
  private decodeInPlace(
    q: QuickJSInternals,
    length: number,
    wide: boolean,
    write: (heap: Buffer, at: number, size: number) => void,
  ): QuickJSHandle | null {
    const header = headerOf(length, wide)
    const size = header.length + length * (wide ? 2 : 1)
    const ptr = q.module._malloc(size)
    if (ptr === 0) return null
    const heap = this.heapBuffer(q)
    heap.set(header, ptr)
    write(heap, ptr + header.length, size - header.length)
    const buffer = ownedHandle(q, q.ffi.QTS_NewArrayBuffer(q.ctxPtr, ptr, size))
    if (!this.kinds.isObject(buffer)) {
      q.module._free(ptr) // no ArrayBuffer took it
      buffer.dispose()
      return null
    }
    const h = ownedHandle(q, q.ffi.QTS_bjson_decode(q.ctxPtr, buffer.value))
    buffer.dispose()
    return h
  }

  private heapBuffer(q: QuickJSInternals): Buffer {
    const memory = q.module.HEAPU8.buffer
    if (this.heap?.buffer !== memory) this.heap = Buffer.from(memory)
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
