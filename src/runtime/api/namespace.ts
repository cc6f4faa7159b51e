// createvirtualnamespace(code, name): the host checks the arguments; the guest compiles and evaluates the code
// inside its own sandbox (it can reach nothing there that the program could not reach already).
import { argCount, str } from './validate.js'
import type { OpTable } from './types.js'

export function namespaceOps(): OpTable<'namespace.check'> {
  return {
    'namespace.check'(args) {
      argCount('createvirtualnamespace', args, 2)
      str('createvirtualnamespace', 'code', args[0])
      str('createvirtualnamespace', 'name', args[1])
      return undefined
    },
  }
}
