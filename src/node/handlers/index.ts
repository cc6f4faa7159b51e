// The handler table: one handler per call of CALL_SIGNATURES, grouped by capability.
import type { HandlerTable } from './context.js'
import { fileHandlers } from './files.js'
import { lifecycleHandlers } from './lifecycle.js'
import { logHandlers } from './logs.js'
import { ownerHandlers } from './owner.js'
import { queryHandlers } from './queries.js'
import { splitJoinHandlers } from './split-join.js'

export const HANDLERS: HandlerTable = {
  ...queryHandlers,
  ...lifecycleHandlers,
  ...fileHandlers,
  ...logHandlers,
  ...ownerHandlers,
  ...splitJoinHandlers,
}

export type { HandlerContext, HandlerTable, CallInfo } from './context.js'
