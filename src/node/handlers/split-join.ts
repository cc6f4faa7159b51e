// Owner calls that reshape the donation: SplitVessel and JoinVessels. The vessel table changes in one batch
// (a crash leaves either the old vessels or the new ones); directories and logs follow after it.
import { NodeError } from '../../protocol/errors.js'
import { parseRestrictions, RestrictionsError } from '../../runtime/nanny/restrictions.js'
import type { Restrictions } from '../../runtime/nanny/resources.js'
import { planJoin, planSplit } from '../split-join.js'
import type { HandlerTable } from './context.js'

function proposedRestrictions(text: string): Restrictions {
  try {
    return parseRestrictions(text, 'proposed restrictions')
  } catch (err) {
    if (err instanceof RestrictionsError) throw new NodeError('E_USAGE', err.message, { cause: err })
    throw err
  }
}

export const splitJoinHandlers: Pick<HandlerTable, 'SplitVessel' | 'JoinVessels'> = {
  SplitVessel: (ctx, [vessel, text]) => {
    const proposed = proposedRestrictions(text)
    return ctx.state.exclusive(async () => {
      const parent = await ctx.state.vessel(vessel)
      const names = (await ctx.state.store.list()).map((v) => v.name)
      const plan = planSplit(parent, proposed, names)
      await ctx.state.store.apply(plan.changes)
      await ctx.lifecycle.forget(parent.name)
      await ctx.files.ensureDir(plan.leftover.name)
      await ctx.files.ensureDir(plan.created.name)
      return [plan.leftover.name, plan.created.name]
    })
  },
  JoinVessels: (ctx, [vessel1, vessel2]) =>
    ctx.state.exclusive(async () => {
      const v1 = await ctx.state.vessel(vessel1)
      const v2 = await ctx.state.vessel(vessel2)
      const names = (await ctx.state.store.list()).map((v) => v.name)
      const plan = planJoin(v1, v2, names)
      await ctx.state.store.apply(plan.changes)
      await ctx.lifecycle.forget(v1.name)
      await ctx.lifecycle.forget(v2.name)
      await ctx.files.ensureDir(plan.joined.name)
      return plan.joined.name
    }),
}
