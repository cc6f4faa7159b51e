// The Repy V2 exception classes (docs/REPY.md, 'Exceptions'). The guest gets real classes built from
// this table (see guest/prelude.ts), so `instanceof` works; the host throws RepyError with one of these names.

export const REPY_EXCEPTION_PARENTS = {
  RepyException: null,
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
} as const satisfies Record<string, string | null>

export type RepyErrorName = keyof typeof REPY_EXCEPTION_PARENTS

/** An error the guest sees as an instance of the Repy exception class `name`. */
export class RepyError extends Error {
  constructor(
    readonly repyName: RepyErrorName,
    message: string,
  ) {
    super(message)
    this.name = repyName
  }
}
