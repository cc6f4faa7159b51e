// User calls on a vessel's files: AddFileToVessel, RetrieveFileFromVessel, ListFilesInVessel, DeleteFileInVessel.
// private_* names are refused by validateCall already; file names follow Repy's rule.
import type { HandlerTable } from './context.js'

export const fileHandlers: Pick<
  HandlerTable,
  'AddFileToVessel' | 'RetrieveFileFromVessel' | 'ListFilesInVessel' | 'DeleteFileInVessel'
> = {
  AddFileToVessel: (ctx, [vessel, filename, data]) =>
    ctx.state.exclusiveVessel(vessel, async () => {
      const record = await ctx.state.vessel(vessel)
      await ctx.files.write(vessel, filename, data, record.restrictions.limits.diskused)
      return null
    }),
  RetrieveFileFromVessel: async (ctx, [vessel, filename]) => {
    ctx.state.vesselKeys(vessel)
    return ctx.files.read(vessel, filename)
  },
  ListFilesInVessel: async (ctx, [vessel]) => {
    ctx.state.vesselKeys(vessel)
    return ctx.files.list(vessel)
  },
  DeleteFileInVessel: (ctx, [vessel, filename]) =>
    ctx.state.exclusiveVessel(vessel, async () => {
      ctx.state.vesselKeys(vessel)
      await ctx.files.remove(vessel, filename)
      return null
    }),
}
