// Owner calls that change a vessel's keys and metadata: ChangeUsers, ChangeOwner, ChangeOwnerInformation,
// ChangeAdvertise. Each is one read-modify-write of the vessel record.
import type { HandlerTable } from './context.js'

export const ownerHandlers: Pick<
  HandlerTable,
  'ChangeUsers' | 'ChangeOwner' | 'ChangeOwnerInformation' | 'ChangeAdvertise'
> = {
  ChangeUsers: async (ctx, [vessel, keys]) => {
    await ctx.state.update(vessel, (v) => ({ ...v, userKeys: [...new Set(keys)] }))
    return null
  },
  /** As in Seattle: the owner information is cleared and advertising switched on. */
  ChangeOwner: async (ctx, [vessel, key]) => {
    await ctx.state.update(vessel, (v) => ({ ...v, ownerKey: key, ownerInfo: '', advertise: true }))
    return null
  },
  ChangeOwnerInformation: async (ctx, [vessel, info]) => {
    await ctx.state.update(vessel, (v) => ({ ...v, ownerInfo: info }))
    return null
  },
  ChangeAdvertise: async (ctx, [vessel, advertise]) => {
    await ctx.state.update(vessel, (v) => ({ ...v, advertise }))
    return null
  },
}
