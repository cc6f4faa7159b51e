// The kind of a guest value read from its tag in QuickJS's memory, instead of asking QuickJS for its typeof string
// (a C string allocated, converted and freed per argument). The tags are not taken from QuickJS's headers: they are
// learnt at start from values of known kinds the guest passes (learn), and checked against QuickJS's own typeof; a
// tag not learnt (a float, an object) is answered the slow way, and if the probe does not come out as expected
// nothing is learnt and the caller keeps to quickjs-emscripten's own path (host-function.ts): a QuickJS that lays
// its values out otherwise is only slower, never wrong.
import type { QuickJSInternals } from './quickjs-internals.js'
import { GuestBytes } from './guest-value.js'

/** typeof ('number', 'string', 'object', ...), with null apart as 'null'. */
export type GuestKind = string

/** The probe the guest passes to learn(), and each value's kind. Two integers and two strings, so a tag that
 *  depended on the value would be seen. */
export const PROBE_SOURCE = `(f) => f(12345, -7, 'ab', 'x'.repeat(300), undefined, null, true, false, {}, new ArrayBuffer(1))`
const PROBE_KINDS: GuestKind[] = ['number', 'number', 'string', 'string', 'undefined', 'null', 'boolean', 'boolean']
/** The probe's last two values are objects: their tag is that of objects and functions alike (typeof tells them
 *  apart), so it is learnt apart from the kinds. */
const PROBE_OBJECTS = 2
const PROBE_INTS = [12345, -7]
/** A JSValue is 8 bytes (QuickJS's NaN-boxing on 32-bit WebAssembly): payload word, then tag word. */
export const VALUE_BYTES = 8
/** struct JSString: ref_count, len/is_wide_char, hash/atom_type, hash_next, then the characters. */
const STRING_CHARS_OFFSET = 16

export class GuestTypes {
  private readonly kinds = new Map<number, GuestKind>()
  /** The tag of a 32-bit integer, whose payload word is the value; null if not learnt. */
  private intTag: number | null = null
  private boolTag: number | null = null
  private stringTag: number | null = null
  private objectTag: number | null = null
  /** Whether a narrow string's characters were found where stringAt reads them. */
  private charsKnown = false
  private heap: Int32Array

  constructor(private readonly q: QuickJSInternals) {
    this.heap = new Int32Array(q.module.HEAPU8.buffer)
  }

  /** Learns the tags from the probe's arguments; false (and nothing learnt) if they are not as expected. */
  learn(argc: number, argv: number): boolean {
    if (argc !== PROBE_KINDS.length + PROBE_OBJECTS) return false
    const { ffi, ctxPtr } = this.q
    const ptrs = Array.from({ length: argc }, (_, i) => ffi.QTS_ArgvGetJSValueConstPointer(argv, i))
    if (ptrs.some((p, i) => p !== argv + i * VALUE_BYTES)) return false
    const kinds = new Map<number, GuestKind>()
    for (let i = 0; i < PROBE_KINDS.length; i++) {
      const tag = this.tagAt(ptrs[i]!)
      const kind = PROBE_KINDS[i]!
      if (this.slowKind(ptrs[i]!) !== (kind === 'null' ? 'object' : kind)) return false
      const seen = kinds.get(tag)
      if (seen !== undefined && seen !== kind) return false
      kinds.set(tag, kind)
    }
    const intTag = this.tagAt(ptrs[0]!)
    if (this.tagAt(ptrs[1]!) !== intTag) return false
    if (PROBE_INTS.some((n, i) => this.payloadAt(ptrs[i]!) !== n || ffi.QTS_GetFloat64(ctxPtr, ptrs[i]!) !== n))
      return false
    const boolTag = this.tagAt(ptrs[6]!)
    if (this.tagAt(ptrs[7]!) !== boolTag || this.payloadAt(ptrs[6]!) !== 1 || this.payloadAt(ptrs[7]!) !== 0)
      return false
    const objectTag = this.tagAt(ptrs[8]!)
    if (this.tagAt(ptrs[9]!) !== objectTag || kinds.has(objectTag)) return false
    if (this.slowKind(ptrs[8]!) !== 'object' || this.slowKind(ptrs[9]!) !== 'object') return false
    for (const [tag, kind] of kinds) this.kinds.set(tag, kind)
    this.objectTag = objectTag
    this.intTag = intTag
    this.boolTag = boolTag
    const stringTag = this.tagAt(ptrs[2]!)
    if (this.tagAt(ptrs[3]!) === stringTag && this.headerLength(ptrs[2]!) === 2 && this.headerLength(ptrs[3]!) === 300)
      this.stringTag = stringTag
    this.charsKnown =
      this.stringTag !== null && this.stringAt(ptrs[2]!) === 'ab' && this.stringAt(ptrs[3]!) === 'x'.repeat(300)
    return true
  }

  kindOf(ptr: number): GuestKind {
    return this.kinds.get(this.tagAt(ptr)) ?? this.slowKind(ptr)
  }

  /** Whether the value is an object or a function (typeof 'object' but not null, or 'function'). */
  isObjectAt(ptr: number): boolean {
    if (this.tagAt(ptr) === this.objectTag) return true
    const kind = this.kindOf(ptr)
    return kind === 'object' || kind === 'function'
  }

  numberAt(ptr: number): number {
    return this.tagAt(ptr) === this.intTag ? this.payloadAt(ptr) : this.q.ffi.QTS_GetFloat64(this.q.ctxPtr, ptr)
  }

  /** For a value whose kind is 'boolean'. */
  booleanAt(ptr: number): boolean {
    if (this.tagAt(ptr) === this.boolTag) return this.payloadAt(ptr) !== 0
    return this.q.ffi.QTS_GetFloat64(this.q.ctxPtr, ptr) !== 0 // JS_ToFloat64 of a boolean
  }

  /** A string's length from QuickJS's string header, or null where that is not known to be one. */
  stringLengthAt(ptr: number): number | null {
    return this.tagAt(ptr) === this.stringTag ? this.headerLength(ptr) : null
  }

  /** A string of one-byte characters read straight from QuickJS's memory (one copy, no call into QuickJS); null for
   *  anything else (a wide string, a value that is not a plain string, or a layout not confirmed by the probe). */
  latin1StringAt(ptr: number): string | null {
    if (!this.charsKnown || this.tagAt(ptr) !== this.stringTag) return null
    return this.stringAt(ptr)
  }

  /** A narrow string's characters where QuickJS keeps them, lent to the call that passed it; null as for
   *  latin1StringAt. */
  latin1BytesAt(ptr: number): GuestBytes | null {
    if (!this.charsKnown || this.tagAt(ptr) !== this.stringTag) return null
    const str = this.payloadAt(ptr) >>> 0
    const length = this.narrowLength(str)
    return length < 0 ? null : new GuestBytes(this.memory, str + STRING_CHARS_OFFSET, length)
  }

  private readonly memory = (): Uint8Array => this.q.module.HEAPU8

  private stringAt(ptr: number): string | null {
    const str = this.payloadAt(ptr) >>> 0
    const length = this.narrowLength(str)
    if (length < 0) return null
    const start = str + STRING_CHARS_OFFSET
    return Buffer.from(this.view(start + length).buffer, start, length).toString('latin1')
  }

  /** The length of the string at `str`, or -1 if it is wide (is_wide_char: the top bit). */
  private narrowLength(str: number): number {
    const word = this.view(str)[(str >>> 2) + 1]!
    return word < 0 ? -1 : word & 0x7fffffff
  }

  /** struct JSString { int ref_count; uint32_t len : 31, is_wide_char : 1; ... }, pointed to by the payload word. */
  private headerLength(ptr: number): number {
    const str = this.payloadAt(ptr) >>> 0
    return this.view(str)[(str >>> 2) + 1]! & 0x7fffffff
  }

  private slowKind(ptr: number): GuestKind {
    const { ffi, ctxPtr, module } = this.q
    const cstr = ffi.QTS_Typeof(ctxPtr, ptr)
    const kind = module.UTF8ToString(cstr)
    module._free(cstr)
    // null's tag is always learnt (the probe holds null), so an 'object' here is not null.
    return kind
  }

  /** The module's memory as words, made again when the memory grew: growing detaches the old buffer (its view's
   *  length is then 0), so a word past the view's end means a new buffer. Comparing buffers on every read (two
   *  getters) was a tenth of a socket call's host time. */
  private view(ptr: number): Int32Array {
    if ((ptr >>> 2) + 1 >= this.heap.length) this.heap = new Int32Array(this.q.module.HEAPU8.buffer)
    return this.heap
  }

  private tagAt(ptr: number): number {
    return this.view(ptr)[(ptr >>> 2) + 1]!
  }

  private payloadAt(ptr: number): number {
    return this.view(ptr)[ptr >>> 2]!
  }
}
