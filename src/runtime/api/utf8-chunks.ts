// Splits text into pieces of at most `maxBytes` bytes of UTF-8 each, never inside a surrogate pair (a single code
// point longer than maxBytes is a piece of its own).
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff

export function utf8Chunks(text: string, maxBytes: number): string[] {
  const max = Math.max(1, Math.floor(maxBytes))
  if (Buffer.byteLength(text, 'utf8') <= max) return [text]
  const chunks: string[] = []
  let start = 0
  while (start < text.length) {
    // Every UTF-16 unit takes at least one byte, so `max` units is the most a piece can hold.
    let end = Math.min(text.length, start + max)
    for (;;) {
      if (end < text.length && end > start + 1 && isHighSurrogate(text.charCodeAt(end - 1))) end--
      if (end === start + 1 && isHighSurrogate(text.charCodeAt(start))) end = Math.min(text.length, start + 2)
      const bytes = Buffer.byteLength(text.slice(start, end), 'utf8')
      const oneCodePoint = end - start === 1 || (end - start === 2 && isHighSurrogate(text.charCodeAt(start)))
      if (bytes <= max || oneCodePoint) break
      end = start + Math.max(1, Math.floor(((end - start) * max) / bytes))
    }
    chunks.push(text.slice(start, end))
    start = end
  }
  return chunks
}
