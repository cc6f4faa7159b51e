// Program commands: run (upload + start), start, stop, reset, wait; show log.
import { basename } from 'node:path'
import type { CommandSpec } from './command.js'
import { pause, reportLines } from './fanout.js'
import { checkRemoteName, perVessel, readLocal } from './files.js'
import { refresh } from './targets.js'
import { CommandError } from './types.js'

const run: CommandSpec = {
  name: 'run',
  usage: 'run <localfile> [args...]',
  complete: ['file', 'file'],
  summary: 'upload a program to the vessels of the default target and start it there',
  run: async (ctx, args) => {
    if (args.length < 1) throw new CommandError(`usage: ${run.usage}`)
    const [file, ...programArgs] = args as [string, ...string[]]
    const remote = checkRemoteName(basename(file))
    const vessels = ctx.state.defaultVessels()
    const data = await readLocal(ctx, file)
    const { report } = await ctx.onVessels({
      vessels,
      signed: true,
      task: async (conn, v) => {
        await conn.call('AddFileToVessel', [v.vessel, remote, data])
        return conn.call('StartVessel', [v.vessel, remote, programArgs])
      },
    })
    return { lines: reportLines(`run ${remote}`, report), fanout: report }
  },
}

const start: CommandSpec = {
  name: 'start',
  usage: 'start <vesselfile> [args...]',
  complete: ['none', 'file'],
  summary: 'start a program file already in the vessels of the default target',
  run: async (ctx, args) => {
    if (args.length < 1) throw new CommandError(`usage: ${start.usage}`)
    const [program, ...programArgs] = args as [string, ...string[]]
    const remote = checkRemoteName(program)
    const { report } = await ctx.onVessels({
      vessels: ctx.state.defaultVessels(),
      signed: true,
      task: (conn, v) => conn.call('StartVessel', [v.vessel, remote, programArgs]),
    })
    return { lines: reportLines(`start ${remote}`, report), fanout: report }
  },
}

const simple = (name: 'stop' | 'reset', summary: string, call: 'StopVessel' | 'ResetVessel'): CommandSpec => ({
  name,
  usage: name,
  summary,
  run: async (ctx, args) => {
    if (args.length !== 0)
      throw new CommandError(`usage: ${name} (it acts on the default target; \`on <target> ${name}\` for another)`)
    const { report } = await ctx.onVessels({
      vessels: ctx.state.defaultVessels(),
      signed: true,
      task: (conn, v) => conn.call(call, [v.vessel]),
      toJson: (value) => value ?? 'done',
    })
    return { lines: reportLines(name, report), fanout: report }
  },
})

export const showLog: CommandSpec = {
  name: 'log',
  usage: 'show log',
  summary: 'the end of the log of each vessel of the default target',
  run: async (ctx, args) => {
    if (args.length !== 0) throw new CommandError('usage: show log')
    const { report, values } = await ctx.onVessels({
      vessels: ctx.state.defaultVessels(),
      signed: true,
      task: (conn, v) => conn.call('ReadVesselLog', [v.vessel]),
      toJson: (data) => Buffer.from(data).toString('utf8'),
    })
    const lines = perVessel(values, (d) => Buffer.from(d).toString('utf8') || '(empty log)')
    return { lines: [...lines, ...reportLines('show log', report)], fanout: report }
  },
}

const DEFAULT_WAIT_SECONDS = 60
const MAX_WAIT_SECONDS = 3600
const WAIT_POLL_MS = 250

/** In a script, `run prog; wait; show log` shows the whole log however long the program took (a `sleep` guesses). */
const wait: CommandSpec = {
  name: 'wait',
  usage: 'wait [seconds]',
  complete: ['none'],
  summary: `wait until no program runs in the vessels of the default target (at most the seconds given, ${DEFAULT_WAIT_SECONDS} by default)`,
  run: async (ctx, args) => {
    const seconds = args.length === 0 ? DEFAULT_WAIT_SECONDS : Number(args[0])
    if (args.length > 1 || args[0] === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_WAIT_SECONDS) {
      throw new CommandError(
        `usage: wait [seconds] (a number from 0 to ${MAX_WAIT_SECONDS}; default ${DEFAULT_WAIT_SECONDS})`,
      )
    }
    const vessels = ctx.state.defaultVessels()
    const deadline = Date.now() + seconds * 1000
    for (;;) {
      const { report } = await refresh(ctx, vessels)
      const running = vessels
        .filter((v) => report.good.includes(v.longName) && v.info?.status === 'Started')
        .map((v) => v.longName)
      if (running.length === 0 || Date.now() >= deadline) {
        if (running.length > 0) throw new CommandError(`still running after ${seconds} s: ${running.join(', ')}`)
        return { lines: reportLines('wait', report), fanout: report }
      }
      await pause(Math.min(WAIT_POLL_MS, deadline - Date.now()), ctx.signal)
    }
  },
}

export const LIFECYCLE_COMMANDS: CommandSpec[] = [
  run,
  start,
  wait,
  simple('stop', 'stop the programs in the vessels of the default target', 'StopVessel'),
  simple('reset', "stop the programs and delete the vessels' files and logs", 'ResetVessel'),
]
