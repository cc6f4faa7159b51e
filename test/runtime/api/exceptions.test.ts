// The 27 exported Repy exception classes and their hierarchy, exactly as Repy's (docs/REPY.md, 'Exceptions').
import { beforeAll, describe, expect, it } from 'vitest'
import { runGuest, type GuestRun } from '../../helpers/run-guest.js'
import { CHECKS, okValue, results } from '../../helpers/guest-checks.js'

/** name -> parent, as repy_v2's exception_hierarchy.py has them, written out apart from src/runtime/errors.ts
 *  (RepyException's parent is JavaScript's Error). */
const HIERARCHY: Record<string, string> = {
  RepyException: 'Error',
  RepyArgumentError: 'RepyException',
  TimeoutError: 'RepyException',
  CodeUnsafeError: 'RepyException',
  ContextUnsafeError: 'RepyException',
  LockDoubleReleaseError: 'RepyException',
  ResourceUsageError: 'RepyException',
  ResourceExhaustedError: 'ResourceUsageError',
  ResourceForbiddenError: 'ResourceUsageError',
  FileError: 'RepyException',
  FileNotFoundError: 'FileError',
  FileInUseError: 'FileError',
  SeekPastEndOfFileError: 'FileError',
  FileClosedError: 'FileError',
  NetworkError: 'RepyException',
  NetworkAddressError: 'NetworkError',
  AlreadyListeningError: 'NetworkError',
  DuplicateTupleError: 'NetworkError',
  CleanupInProgressError: 'NetworkError',
  InternetConnectivityError: 'NetworkError',
  AddressBindingError: 'NetworkError',
  ConnectionRefusedError: 'NetworkError',
  LocalIPChanged: 'NetworkError',
  SocketClosedLocal: 'NetworkError',
  SocketClosedRemote: 'NetworkError',
  SocketWouldBlockError: 'NetworkError',
  TCPServerSocketInvalidError: 'NetworkError',
}
const NAMES = Object.keys(HIERARCHY)

describe('exception classes', () => {
  let run: GuestRun
  let r: Map<string, string>
  beforeAll(async () => {
    run = await runGuest(
      CHECKS +
        String.raw`
const names = ${JSON.stringify(NAMES)}
check('parents', () => Object.fromEntries(names.map((n) => [n, Object.getPrototypeOf(globalThis[n]).name])))
check('instances', () => Object.fromEntries(names.map((n) => {
  const e = new globalThis[n]('msg ' + n)
  return [n, [e instanceof globalThis[n], e instanceof RepyException, e instanceof Error, e.name, e.message, typeof e.stack]]
})))
check('chain', () => { const e = new ResourceExhaustedError('x'); return [e instanceof ResourceUsageError, e instanceof FileError, e instanceof NetworkError] })
check('frozen', () => names.filter((n) => !(Object.isFrozen(globalThis[n]) && Object.isFrozen(globalThis[n].prototype))))
check('assign class', () => { FileError = null })
check('assign prototype method', () => { FileError.prototype.toString = () => 'x' })
check('assign static', () => { FileError.extra = 1 })
check('delete class', () => delete globalThis.FileError)
check('still there', () => typeof FileError === 'function' && new FileError('m').toString())
check('not exported', () => ['InternalRepyError', 'SafeException', 'CheckNodeException', 'CheckStrException', 'RunBuiltinException', 'NamespaceInternalError'].map((n) => typeof globalThis[n]))
check('api raises the class', () => { try { openfile('missing', false) } catch (e) { return [e.constructor === FileNotFoundError, e instanceof FileError, e.name] } })
check('subclassable', () => { class Mine extends FileError {} ; const m = new Mine('m'); return [m instanceof FileError, m instanceof RepyException] })
check('catch by parent', () => { try { removefile('missing') } catch (e) { if (e instanceof FileError) return 'caught as FileError' ; throw e } })
`,
    )
    r = results(run.output)
  })

  it('runs to the end', () => expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 }))

  it('exports all 27 classes with the hierarchy of Repy V2', () => {
    expect(NAMES).toHaveLength(27)
    expect(okValue(r, 'parents')).toEqual(HIERARCHY)
  })

  it('makes instances that instanceof recognises, with name and message', () => {
    const instances = okValue(r, 'instances') as Record<string, unknown[]>
    for (const n of NAMES) expect(instances[n], n).toEqual([true, true, true, n, `msg ${n}`, 'string'])
    expect(okValue(r, 'chain')).toEqual([true, false, false])
  })

  it('freezes the classes and their prototypes, and the globals cannot be replaced', () => {
    expect(okValue(r, 'frozen')).toEqual([])
    expect(r.get('assign class')).toBe('TypeError')
    expect(r.get('assign prototype method')).toBe('TypeError')
    expect(r.get('assign static')).toBe('TypeError')
    expect(r.get('delete class')).toBe('TypeError')
    expect(okValue(r, 'still there')).toBe('FileError: m')
  })

  it('does not export the internal classes', () => {
    expect(okValue(r, 'not exported')).toEqual(Array(6).fill('undefined'))
  })

  it('raises these classes from the API', () => {
    expect(okValue(r, 'api raises the class')).toEqual([true, true, 'FileNotFoundError'])
    expect(okValue(r, 'catch by parent')).toBe('caught as FileError')
    expect(okValue(r, 'subclassable')).toEqual([true, true])
  })
})
