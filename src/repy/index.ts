// Front end for Repy programs (.r2py, a restricted Python 2): parse, Repy's static safety check, compile to JS.
import { compileModule } from './compile.js'
import { parse } from './parser.js'
import { checkModule } from './safety.js'

export { RepyCodeError } from './errors.js'
export { isSafeString } from './safety.js'

/** Checks and compiles a Repy program; the result is the text of the module function expression described in contract.ts.
 *  `source` is latin1-decoded (one char per byte). Throws RepyCodeError ('syntax' or 'unsafe'). */
export function compileRepy(source: string, filename: string): string {
  const module = parse(source.replace(/\r\n/g, '\n'))
  checkModule(module)
  return compileModule(module, filename)
}

/** Parses and checks without compiling (throws RepyCodeError like compileRepy). */
export function checkRepy(source: string): void {
  checkModule(parse(source.replace(/\r\n/g, '\n')))
}
