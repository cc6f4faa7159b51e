// createthread (host half), getthreadname, exitall, getlasterror and locks.
import { RepyError } from '../errors.js'
import { capText } from '../cap-text.js'
import { argCount, bool, int } from './validate.js'
import type { GuestValue, OpTable, VesselEnv } from './types.js'

export const MAIN_THREAD = 0
export const EXITALL_CODE = 200
export const THREAD_EXCEPTION_CODE = 30
/** Repy's exit code for an uncaught exception in the main program. */
export const UNCAUGHT_EXCEPTION_CODE = 6

const handleId = (fn: string, v: GuestValue): number => int(fn, 'handle', v, 0)

export function threadOps(
  env: VesselEnv,
): OpTable<
  | 'thread.start'
  | 'thread.enter'
  | 'thread.end'
  | 'thread.fail'
  | 'getthreadname'
  | 'exitall'
  | 'getlasterror'
  | 'lock.create'
  | 'lock.acquire'
  | 'lock.release'
> {
  // A thread is started (it holds an events item), then entered each time it runs, then ended or failed once. These
  // operations are the prelude's, not the program's; a call that does not fit the thread's state is refused, so that
  // no call can release the events item of a thread that has not run to its end.
  const live = new Set<number>()
  const entered = new Set<number>()
  const refuse = (op: string, id: number, why: string): never => {
    throw new RepyError('RepyArgumentError', `${op}: thread ${id} ${why}`)
  }
  let nextThread = 1

  return {
    'thread.start'(args) {
      argCount('createthread', args, 0)
      const id = nextThread++
      env.nanny.acquire('events', `thread:${id}`)
      live.add(id)
      env.threadStarted()
      return id
    },
    'thread.enter'(args) {
      argCount('thread.enter', args, 1)
      const id = handleId('thread.enter', args[0])
      if (id !== MAIN_THREAD && !live.has(id)) refuse('thread.enter', id, 'is not running')
      entered.add(id)
      env.threads.current = id
      return undefined
    },
    'thread.end'(args) {
      argCount('thread.end', args, 1)
      const id = handleId('thread.end', args[0])
      if (!live.has(id)) refuse('thread.end', id, 'is not running')
      if (!entered.has(id)) refuse('thread.end', id, 'has not started to run')
      if (env.threads.current !== id) refuse('thread.end', id, 'is not the thread running now')
      live.delete(id)
      entered.delete(id)
      env.nanny.release('events', `thread:${id}`)
      env.threads.lastError.delete(id)
      env.threadFinished()
      return undefined
    },
    'thread.fail'(args) {
      argCount('thread.fail', args, 2)
      const id = handleId('thread.fail', args[0])
      if (!live.has(id)) refuse('thread.fail', id, 'is not running')
      const description = typeof args[1] === 'string' ? args[1] : 'unknown error'
      env.end({
        status: 'Terminated',
        code: THREAD_EXCEPTION_CODE,
        reason: capText(`uncaught exception in thread ${env.threads.name(id)}: ${description}`),
      })
      return undefined
    },
    getthreadname(args) {
      argCount('getthreadname', args, 0)
      return env.threads.name(env.threads.current)
    },
    exitall(args) {
      argCount('exitall', args, 0)
      env.end({ status: 'Terminated', code: EXITALL_CODE, reason: 'exitall() called' })
      return undefined
    },
    getlasterror(args) {
      argCount('getlasterror', args, 0)
      const current = env.threads.current
      const last = env.threads.lastError.get(current) ?? null
      env.threads.lastError.delete(current)
      return last
    },
    // A lock lives in the program's own memory (the prelude's lock objects, as a Repy program's in
    // src/repy/guest/locks.ts): the host only checks the calls' arguments and keeps nothing, so that a program that
    // makes locks and drops them grows only its own heap. acquire answers whether to block.
    'lock.create'(args) {
      argCount('createlock', args, 0)
      return undefined
    },
    'lock.acquire'(args) {
      argCount('acquire', args, 1)
      return bool('acquire', 'blocking', args[0])
    },
    'lock.release'(args) {
      argCount('release', args, 0)
      return undefined
    },
  }
}
