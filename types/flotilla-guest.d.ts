// The API a Flotilla guest program sees (Repy V2's API; exact semantics in docs/REPY.md), for editors
// and type checking. Guest programs are ES modules run in QuickJS: no Node, no DOM, only these globals and the
// JavaScript builtins. Data is a byte string (one char per byte, <= 0xFF); a Uint8Array is accepted as data.
// Use it from a program with `/// <reference path="../types/flotilla-guest.d.ts" />` or a jsconfig.json.

export {}

declare global {
  /** Bytes as a string, one character per byte (char codes 0-255). */
  type ByteString = string
  /** Data going in: a byte string or bytes. */
  type ByteData = ByteString | Uint8Array

  // ---- the 27 Repy exception classes (docs/REPY.md, 'Exceptions') ----
  class RepyException extends Error {}
  class RepyArgumentError extends RepyException {}
  class TimeoutError extends RepyException {}
  class CodeUnsafeError extends RepyException {}
  class ContextUnsafeError extends RepyException {}
  class LockDoubleReleaseError extends RepyException {}
  class ResourceUsageError extends RepyException {}
  class ResourceExhaustedError extends ResourceUsageError {}
  class ResourceForbiddenError extends ResourceUsageError {}
  class FileError extends RepyException {}
  class FileNotFoundError extends FileError {}
  class FileInUseError extends FileError {}
  class SeekPastEndOfFileError extends FileError {}
  class FileClosedError extends FileError {}
  class NetworkError extends RepyException {}
  class NetworkAddressError extends NetworkError {}
  class AlreadyListeningError extends NetworkError {}
  class DuplicateTupleError extends NetworkError {}
  class CleanupInProgressError extends NetworkError {}
  class InternetConnectivityError extends NetworkError {}
  class AddressBindingError extends NetworkError {}
  class ConnectionRefusedError extends NetworkError {}
  class LocalIPChanged extends NetworkError {}
  class SocketClosedLocal extends NetworkError {}
  class SocketClosedRemote extends NetworkError {}
  class SocketWouldBlockError extends NetworkError {}
  class TCPServerSocketInvalidError extends NetworkError {}

  // ---- handles ----
  /** An open file of the vessel directory (openfile). */
  interface RepyFile {
    /** Reads up to `sizelimit` bytes (null: to the end) from `offset`; "" at the end of the file.
     *  SeekPastEndOfFileError past the end, FileClosedError once closed. */
    readat(sizelimit: number | null, offset: number): ByteString
    /** Writes at `offset` (<= the file size), growing the file; charged to diskused (ResourceExhaustedError). */
    writeat(data: ByteData, offset: number): void
    /** Closes the file and gives its filesopened item back; FileClosedError the second time. */
    close(): void
  }
  /** A lock (createlock): not reentrant, any thread may release it. */
  interface RepyLock {
    /** Blocking: a promise that resolves to true once the lock is held. */
    acquire(blocking: true): Promise<true> | true
    /** Non-blocking: true if the lock was taken, false if it is held. */
    acquire(blocking: false): boolean
    acquire(blocking: boolean): Promise<true> | boolean
    /** LockDoubleReleaseError if it is not locked. */
    release(): void
  }
  /** A connected TCP socket: non-blocking, SocketWouldBlockError when it would wait. */
  interface RepySocket {
    /** Sends what it can now; returns the number of bytes sent. */
    send(message: ByteData): number
    /** 1..n bytes; SocketWouldBlockError if none yet, SocketClosedRemote at the end of the stream. */
    recv(n: number): ByteString
    /** send, but waiting until some of the message can be sent instead of raising SocketWouldBlockError. */
    sendAsync(message: ByteData): Promise<number>
    /** recv, but waiting until data (or the end of the stream) arrives instead of raising SocketWouldBlockError;
     *  SocketClosedLocal if the socket is closed meanwhile. */
    recvAsync(n: number): Promise<ByteString>
    /** true the first time, false afterwards. */
    close(): boolean
  }
  /** A listening TCP socket (listenforconnection). */
  interface TCPServerSocket {
    /** [remote ip, remote port, socket]; SocketWouldBlockError if nobody is waiting. */
    getconnection(): [string, number, RepySocket]
    /** getconnection, but waiting for a connection instead of raising SocketWouldBlockError; SocketClosedLocal if
     *  the server socket is closed meanwhile. */
    getconnectionAsync(): Promise<[string, number, RepySocket]>
    close(): boolean
  }
  /** A bound UDP socket (listenformessage). */
  interface UDPServerSocket {
    /** [remote ip, remote port, message]; SocketWouldBlockError if none is waiting. */
    getmessage(): [string, number, ByteString]
    close(): boolean
  }
  /** Code compiled by createvirtualnamespace. */
  interface VirtualNamespace {
    /** Runs the code with `context` as its global scope (names it assigns land there); returns `context`.
     *  ContextUnsafeError if it is not an object; errors of the code propagate. */
    evaluate<T extends object>(context: T): T & Record<string, unknown>
  }

  /** Resource limits, usage and cpu stops, as getresources() returns them. */
  interface ResourceTable {
    cpu: number
    memory: number
    diskused: number
    filewrite: number
    fileread: number
    netsend: number
    netrecv: number
    loopsend: number
    looprecv: number
    lograte: number
    random: number
    events: number
    filesopened: number
    insockets: number
    outsockets: number
    messport: number[]
    connport: number[]
    /** In usage only: the cpu seconds of the calling thread (all of a program's threads share one). */
    threadcpu?: number
  }

  // ---- globals ----
  /** The program's command-line arguments (frozen). */
  const callargs: readonly string[]
  /** An object shared by all threads of the program, for what other languages keep in globals. */
  var mycontext: Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- a program keeps what it likes there and reads it back without casts

  /** Writes its arguments joined by single spaces; adds no newline. Charged to lograte. */
  function log(...args: unknown[]): void

  /** Opens (with `create`, creates) a file of the vessel directory. Names: a-z 0-9 . _ -, at most 120 chars,
   *  not starting with '.'. FileNotFoundError, FileInUseError, ResourceExhaustedError (filesopened). */
  function openfile(filename: string, create: boolean): RepyFile
  /** The names of the files in the vessel directory. */
  function listfiles(): string[]
  /** FileNotFoundError if missing, FileInUseError if open. */
  function removefile(filename: string): void

  /** Seconds since the program started; never goes back. */
  function getruntime(): number
  /** Waits at least `seconds` (>= 0), letting the other threads run; sleep(0) only lets them run. */
  function sleep(seconds: number): Promise<void>
  /** 1024 random bytes. Charged to random. */
  function randombytes(): ByteString

  /** The vessel's IP address. */
  function getmyip(): string
  /** The IPv4 address of a host name; NetworkAddressError if it does not resolve. */
  function gethostbyname(name: string): Promise<string>

  /** Opens a TCP connection from localip:localport (a connport) within `timeout` seconds. */
  function openconnection(
    destip: string,
    destport: number,
    localip: string,
    localport: number,
    timeout: number,
  ): Promise<RepySocket>
  /** Listens for TCP connections on localip:localport (a connport). */
  function listenforconnection(localip: string, localport: number): TCPServerSocket
  /** Listens for UDP messages on localip:localport (a messport). */
  function listenformessage(localip: string, localport: number): UDPServerSocket
  /** Sends one UDP datagram (at most 9216 bytes) from localip:localport (a messport); returns the bytes sent. */
  function sendmessage(destip: string, destport: number, message: ByteData, localip: string, localport: number): number

  /** Starts `fn` as a thread (one events item until it settles). An uncaught error in it ends the program (code 30). */
  function createthread(fn: () => unknown): void
  /** "MainThread" or "_EVENT:Thread:<n>". */
  function getthreadname(): string
  function createlock(): RepyLock
  /** Ends the program at once: no code after it runs, not even finally blocks. The vessel records exit code 200 (as
   *  Repy does); `flotilla run` exits with 0, as for a program that finished. */
  function exitall(): never
  /** "<ErrorName>: <message>" of the last Repy error raised to this thread, once; null if none. */
  function getlasterror(): string | null
  /** [limits, usage, stoptimes] — copies: changing them changes nothing. */
  function getresources(): [ResourceTable, ResourceTable, Array<[number, number]>]
  /** Compiles code (CodeUnsafeError if it does not compile) to evaluate in a context of its own. */
  function createvirtualnamespace(code: string, name: string): VirtualNamespace
}
