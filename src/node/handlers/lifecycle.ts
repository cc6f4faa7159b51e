// User calls that drive the state machine: StartVessel, StopVessel, ResetVessel.
import type { HandlerTable } from './context.js'

export const lifecycleHandlers: Pick<HandlerTable, 'StartVessel' | 'StopVessel' | 'ResetVessel'> = {
  StartVessel: (ctx, [vessel, program, args]) => ctx.lifecycle.start(vessel, program, args),
  StopVessel: (ctx, [vessel]) => ctx.lifecycle.stop(vessel),
  ResetVessel: async (ctx, [vessel]) => {
    await ctx.lifecycle.reset(vessel)
    return null
  },
}
