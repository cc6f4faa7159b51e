// The host half of running Repy (.r2py) programs: compiling Repy code for createvirtualnamespace and dylink, a
// turn of the host's event loop for the guest's thread scheduler, and the end of a program by an uncaught Python
// exception (the guest formats Repy's traceback; the host only ends the program with it).
import { RepyError } from '../errors.js'
import { capText } from '../cap-text.js'
import { isUnsafeProgramError, type ProgramFrontEnd } from '../front-end.js'
import { MAIN_THREAD, THREAD_EXCEPTION_CODE, UNCAUGHT_EXCEPTION_CODE } from './threads.js'
import { argCount, int, str } from './validate.js'
import type { OpTable, VesselEnv } from './types.js'

/** `compile` is the program's front end's (the Repy compiler, in a worker that runs a Repy program). */
export function repyOps(
  env: VesselEnv,
  compile: ProgramFrontEnd['compile'],
): OpTable<'repy.compile' | 'repy.uncaught' | 'repy.tick'> {
  return {
    'repy.compile'(args) {
      argCount('createvirtualnamespace', args, 2)
      const code = str('createvirtualnamespace', 'code', args[0])
      const name = str('createvirtualnamespace', 'name', args[1])
      if (!compile)
        throw new RepyError('RepyArgumentError', 'createvirtualnamespace: Repy code runs only in Repy programs')
      try {
        return compile(code, name)
      } catch (err) {
        if (isUnsafeProgramError(err))
          throw new RepyError('CodeUnsafeError', `Code failed safety check! Error: ${err.message}`)
        throw err
      }
    },
    'repy.uncaught'(args) {
      argCount('repy.uncaught', args, 2)
      const thread = int('repy.uncaught', 'thread', args[0])
      const traceback = capText(str('repy.uncaught', 'traceback', args[1]))
      env.end({
        status: 'Terminated',
        code: thread === MAIN_THREAD ? UNCAUGHT_EXCEPTION_CODE : THREAD_EXCEPTION_CODE,
        reason: traceback,
      })
      return undefined
    },
    'repy.tick'(args) {
      argCount('repy.tick', args, 0)
      return new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))
    },
  }
}
