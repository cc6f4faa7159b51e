// The 27 exported Repy exception classes and their hierarchy, exactly as repy_v2's exception_hierarchy.py has them
// (written out here apart from src/runtime/errors.ts), and getlasterror (docs/REPY.md, 'Exceptions',
// 'Threads and locks').
import { c, jsOnly, ok, pyOnly, raises, same, step, type Area, type Item } from '../case.js'

/** name -> parent; RepyException's parent is JavaScript's Error or Python's Exception. */
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

const INTERNAL = [
  'InternalRepyError',
  'SafeException',
  'CheckNodeException',
  'CheckStrException',
  'RunBuiltinException',
  'NamespaceInternalError',
]

const items: Item[] = [
  ...NAMES.map((n) =>
    c(
      `${n} extends ${HIERARCHY[n]}`,
      // the direct parent in JavaScript; Python's issubclass, as __bases__ is out of Repy's reach
      `Object.getPrototypeOf(${n}) === ${HIERARCHY[n]}`,
      `issubclass(${n}, ${HIERARCHY[n] === 'Error' ? 'Exception' : HIERARCHY[n]})`,
      ok(true),
    ),
  ),
  ...NAMES.map((n) =>
    c(
      `an instance of ${n}`,
      `const e = new ${n}('msg ${n}')\nreturn [e instanceof ${n}, e instanceof RepyException, e instanceof Error, e.name, e.message]`,
      `e = ${n}("msg ${n}")\nreturn [isinstance(e, ${n}), isinstance(e, RepyException), isinstance(e, Exception), _error_name(e), str(e)]`,
      ok([true, true, true, n, `msg ${n}`]),
    ),
  ),
  c(
    'ResourceExhaustedError is no FileError or NetworkError',
    "const e = new ResourceExhaustedError('x')\nreturn [e instanceof ResourceUsageError, e instanceof FileError, e instanceof NetworkError]",
    'e = ResourceExhaustedError("x")\nreturn [isinstance(e, ResourceUsageError), isinstance(e, FileError), isinstance(e, NetworkError)]',
    ok([true, false, false]),
  ),
  ...INTERNAL.map((n) =>
    c(
      `${n} is not exported`,
      n,
      { code: n, expect: raises('NameError'), why: "Python's error for an unknown name" },
      raises('ReferenceError'),
    ),
  ),
  c(
    'the API raises these classes',
    "try {\n  openfile('missing', false)\n} catch (e) {\n  return [e.constructor === FileNotFoundError, e instanceof FileError, e.name]\n}",
    'try:\n  openfile("missing", False)\nexcept Exception, e:\n  return [type(e) is FileNotFoundError, isinstance(e, FileError), _error_name(e)]',
    ok([true, true, 'FileNotFoundError']),
  ),
  c(
    'a handler of the parent class catches it',
    "try {\n  removefile('missing')\n} catch (e) {\n  if (e instanceof FileError) return 'caught as FileError'\n  throw e\n}",
    'try:\n  removefile("missing")\nexcept FileError:\n  return "caught as FileError"',
    ok('caught as FileError'),
  ),
  c(
    'the classes can be subclassed',
    "class Mine extends FileError {}\nconst m = new Mine('m')\nreturn [m instanceof FileError, m instanceof RepyException]",
    'class Mine(FileError):\n  pass\nm = Mine("m")\nreturn [isinstance(m, FileError), isinstance(m, RepyException)]',
    ok([true, true]),
  ),
  ...[
    [
      'the classes and prototypes are frozen',
      `${JSON.stringify(NAMES)}.filter((n) => !(Object.isFrozen(globalThis[n]) && Object.isFrozen(globalThis[n].prototype)))`,
      ok([]),
    ],
    ['a class cannot be replaced', 'FileError = null', raises('TypeError')],
    ['a prototype method cannot be replaced', "FileError.prototype.toString = () => 'x'", raises('TypeError')],
    ['a static cannot be added', 'FileError.extra = 1', raises('TypeError')],
    ['a class cannot be deleted', 'delete globalThis.FileError', raises('TypeError')],
    [
      'the classes are intact after',
      "typeof FileError === 'function' && new FileError('m').toString()",
      ok('FileError: m'),
    ],
  ].map(([label, js, expect]) =>
    jsOnly(
      label as string,
      js as string,
      expect as ReturnType<typeof ok>,
      "the JavaScript classes are shared globals, frozen so that no code replaces them; a Repy program's are in its own Python namespace",
    ),
  ),
]

export const exceptions: Area = { name: 'exceptions', items }

/** getlasterror: JavaScript keeps the last API error of the thread until read; Repy answers the traceback of the
 *  exception being handled (docs/REPY.md, 'Changed, and why'). */
const HANDLED =
  "JavaScript's getlasterror reports API errors only; Repy's is the traceback of any exception being handled"
export const lasterror: Area = {
  name: 'lasterror',
  items: [
    same('no error yet', 'getlasterror()', ok(null)),
    same('getlasterror with an argument', 'getlasterror(1)', raises('RepyArgumentError')),
    c(
      'after an API error it names the error and the call',
      "try { openfile('missing', false) } catch (e) {}\nreturn /^FileNotFoundError: .*missing/.test(getlasterror())",
      'try:\n  openfile("missing", False)\nexcept FileNotFoundError:\n  text = getlasterror()\n  return "FileNotFoundError" in text and "missing" in text',
      ok(true),
    ),
    c(
      'it is cleared once read',
      "try { openfile('missing', false) } catch (e) {}\ngetlasterror()\nreturn getlasterror()",
      'try:\n  openfile("missing", False)\nexcept FileNotFoundError:\n  getlasterror()\n  return getlasterror()',
      ok(null),
    ),
    c(
      'after the handler, unread',
      "try { openfile('missing', false) } catch (e) {}\nconst text = getlasterror()\nreturn text !== null && text.startsWith('FileNotFoundError:')",
      // as in Python 2, the exception stays the one being handled until the function returns
      'try:\n  openfile("missing", False)\nexcept FileNotFoundError:\n  pass\ntext = getlasterror()\nreturn text is not None and "FileNotFoundError" in text',
      ok(true),
    ),
    c(
      'a getlasterror refused for its argument is the last error',
      "try { getlasterror(null) } catch (e) {}\nreturn getlasterror().startsWith('RepyArgumentError:')",
      'try:\n  getlasterror(None)\nexcept RepyArgumentError:\n  return "RepyArgumentError" in getlasterror()',
      ok(true),
    ),
    pyOnly(
      'a traceback names the functions and the message',
      'def deep_failure():\n  raise FileNotFoundError("the deep failure")\ndef middle():\n  deep_failure()\ntry:\n  middle()\nexcept RepyException:\n  text = getlasterror()\n  missing = []\n  for part in ["FileNotFoundError", "the deep failure", "deep_failure", "middle"]:\n    if part not in text:\n      missing.append(part)\n  return missing',
      ok([]),
      HANDLED,
    ),
    step(
      "mycontext.results = {}\ncreatethread(() => { mycontext.results.start = getlasterror(); try { removefile('missing2') } catch (e) {}; mycontext.results.a = getlasterror() })\nwhile (!('a' in mycontext.results)) await sleep(0.01)",
      'mycontext["results"] = {}\ndef thread_a():\n  mycontext["results"]["start"] = getlasterror()\n  try:\n    removefile("missing2")\n  except FileNotFoundError:\n    mycontext["results"]["a"] = getlasterror()\ntry:\n  raise IndexError("in main")\nexcept IndexError:\n  createthread(thread_a)\n  while "a" not in mycontext["results"]:\n    sleep(0.01)\n  mycontext["results"]["main"] = getlasterror()',
    ),
    c('a new thread has no error', 'mycontext.results.start', 'mycontext["results"]["start"]', ok(null)),
    c(
      "a thread's error is its own",
      '/^FileNotFoundError: .*missing2/.test(mycontext.results.a)',
      '"FileNotFoundError" in mycontext["results"]["a"] and "missing2" in mycontext["results"]["a"]',
      ok(true),
    ),
    c(
      "the main thread's after the thread's",
      'getlasterror()',
      {
        code: '"in main" in mycontext["results"]["main"]',
        expect: ok(true),
        why: "Repy's main thread was handling its own IndexError meanwhile; JavaScript's main thread raised no API error",
      },
      ok(null),
    ),
  ],
}
