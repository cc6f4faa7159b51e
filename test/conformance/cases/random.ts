// randombytes() (docs/REPY.md, 'Random bytes'): 1024 bytes from the OS generator each call, charged to `random`.
import { c, ok, raises, same, step, type Area } from '../case.js'

export const random: Area = {
  name: 'random',
  items: [
    step(
      'const blocks = []\nfor (let i = 0; i < 20; i++) blocks.push(randombytes())',
      'blocks = []\nfor i in range(20):\n  blocks.append(randombytes())',
    ),
    c('gives a byte string', "typeof blocks[0] === 'string'", 'type(blocks[0]) is str', ok(true)),
    c(
      'gives 1024 bytes each call',
      '[...new Set(blocks.map((b) => b.length))]',
      'lengths = []\nfor b in blocks:\n  if len(b) not in lengths:\n    lengths.append(len(b))\nreturn lengths',
      ok([1024]),
    ),
    c(
      'gives bytes, every value NUL included',
      "const all = blocks.join('')\nreturn [Math.max(...[...all].map((ch) => ch.charCodeAt(0))) <= 255, new Set(all).size]",
      // 20480 random bytes miss one of the 256 values with a probability of about 256 * e^-80
      'seen = {}\nhighest = 0\nfor b in blocks:\n  for ch in b:\n    seen[ch] = True\n    highest = max(highest, ord(ch))\nreturn [highest <= 255, len(seen)]',
      ok([true, 256]),
    ),
    c(
      'gives different bytes each call',
      'new Set(blocks).size',
      'distinct = []\nfor b in blocks:\n  if b not in distinct:\n    distinct.append(b)\nreturn len(distinct)',
      ok(20),
    ),
    same('randombytes with an argument', 'randombytes(1024)', raises('RepyArgumentError')),
    c(
      'charges random',
      // the level as of the last charge: at least part of the last 1024 bytes (the bucket drains 1,000,000 a second)
      'randombytes()\nreturn getresources()[1].random > 0',
      'randombytes()\nreturn getresources()[1]["random"] > 0',
      ok(true),
    ),
  ],
}
