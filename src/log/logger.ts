// The logging contract shared by every part that writes to the node's log: levels, the Logger interface and a logger
// that keeps nothing. The node's log itself (a bounded ring file and stderr) is src/node/node-log.ts; this module sits
// below it so that lower layers (src/p2p) can log without importing the node.
/** Most severe first. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export const DEFAULT_LOG_LEVEL: LogLevel = 'info'

export type LogValue = string | number | boolean | null | readonly string[] | Readonly<Record<string, number>>
export type LogFields = Readonly<Record<string, LogValue>>

export const isLogLevel = (value: unknown): value is LogLevel => (LOG_LEVELS as readonly unknown[]).includes(value)

/** Whether an entry at `level` passes a threshold (`'off'` passes nothing). */
export const atLeast = (level: LogLevel, threshold: LogLevel | 'off'): boolean =>
  threshold !== 'off' && LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(threshold)

/** What the node's parts (and the p2p layer's, such as the advertiser) write to. */
export interface Logger {
  enabled(level: LogLevel): boolean
  log(level: LogLevel, msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  debug(msg: string, fields?: LogFields): void
}

export abstract class BaseLogger implements Logger {
  abstract enabled(level: LogLevel): boolean
  abstract log(level: LogLevel, msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields)
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields)
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields)
  }
  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields)
  }
}

class SilentLogger extends BaseLogger {
  enabled(): boolean {
    return false
  }
  log(): void {
    /* nothing */
  }
}

/** A logger that keeps nothing (parts used without a node: tests, benchmarks). */
export const SILENT_LOG: Logger = new SilentLogger()
