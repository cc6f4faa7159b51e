// File commands: upload, download, cat, delete; show files.
import { readFile, stat, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { MAX_FILE_BYTES } from '../protocol/messages.js'
import { isValidFilename } from '../protocol/validate.js'
import type { CommandSpec, Ctx } from './command.js'
import { reportLines } from './fanout.js'
import { CommandError } from './types.js'

/** Rate assumed for slow links when stretching an upload's timeout (seash used 5120 B/s; loopback is far faster). */
const UPLOAD_RATE_BYTES_PER_S = 256 * 1024

export function checkRemoteName(name: string): string {
  if (!isValidFilename(name)) {
    throw new CommandError(
      `'${name}' is not a valid vessel file name (a-z 0-9 . _ -, at most 120 characters, not starting with '.')`,
    )
  }
  if (name.startsWith('private_')) throw new CommandError(`files named private_* are reserved for the node: ${name}`)
  return name
}

/** Reads a local file for upload: CommandError if it is missing, not a file or too large. */
export async function readLocal(ctx: Ctx, file: string): Promise<Uint8Array> {
  const path = ctx.path(file)
  const info = await stat(path).catch(() => null)
  if (!info) throw new CommandError(`no such local file: ${file}`)
  if (!info.isFile()) throw new CommandError(`not a file: ${file}`)
  if (info.size > MAX_FILE_BYTES)
    throw new CommandError(`${file} is ${info.size} bytes; the limit is ${MAX_FILE_BYTES}`)
  return new Uint8Array(await readFile(path))
}

/** Uploads `data` as `remote` to the default target's vessels. */
export async function uploadTo(ctx: Ctx, remote: string, data: Uint8Array) {
  return ctx.onVessels({
    vessels: ctx.state.defaultVessels(),
    signed: true,
    extraTimeoutMs: (data.length / UPLOAD_RATE_BYTES_PER_S) * 1000,
    task: (conn, v) => conn.call('AddFileToVessel', [v.vessel, remote, data]),
    toJson: () => 'uploaded',
  })
}

const upload: CommandSpec = {
  name: 'upload',
  usage: 'upload <localfile> [remotefile]',
  complete: ['file', 'none'],
  summary: 'copy a local file into the vessels of the default target',
  run: async (ctx, args) => {
    if (args.length < 1 || args.length > 2) throw new CommandError(`usage: ${upload.usage}`)
    const remote = checkRemoteName(args[1] ?? basename(args[0]!))
    ctx.state.defaultVessels()
    const data = await readLocal(ctx, args[0]!)
    const { report } = await uploadTo(ctx, remote, data)
    return { lines: reportLines(`upload ${remote}`, report), fanout: report }
  },
}

const download: CommandSpec = {
  name: 'download',
  usage: 'download <remotefile> [localfile]',
  complete: ['none', 'file'],
  summary: 'copy a vessel file here, as <localfile>.<node>_<vessel> for each vessel',
  run: async (ctx, args) => {
    if (args.length < 1 || args.length > 2) throw new CommandError(`usage: ${download.usage}`)
    const remote = checkRemoteName(args[0]!)
    const local = args[1] ?? remote
    const { report } = await ctx.onVessels({
      vessels: ctx.state.defaultVessels(),
      signed: true,
      task: async (conn, v) => {
        const data = await conn.call('RetrieveFileFromVessel', [v.vessel, remote])
        const file = `${local}.${v.longName.replace(/:/g, '_')}`
        await writeFile(ctx.path(file), data)
        return file
      },
    })
    const lines = reportLines(`download ${remote}`, report)
    for (const name of report.good) lines.push(`  wrote ${String(report.results[name])}`)
    return { lines, fanout: report }
  },
}

const cat: CommandSpec = {
  name: 'cat',
  usage: 'cat <remotefile>',
  complete: ['none'],
  summary: 'print a vessel file of each vessel of the default target',
  run: async (ctx, args) => {
    if (args.length !== 1) throw new CommandError(`usage: ${cat.usage}`)
    const remote = checkRemoteName(args[0]!)
    const { report, values } = await ctx.onVessels({
      vessels: ctx.state.defaultVessels(),
      signed: true,
      task: (conn, v) => conn.call('RetrieveFileFromVessel', [v.vessel, remote]),
      toJson: (data) => Buffer.from(data).toString('utf8'),
    })
    return {
      lines: [...perVessel(values, (d) => Buffer.from(d).toString('utf8')), ...reportLines(`cat ${remote}`, report)],
      fanout: report,
    }
  },
}

const del: CommandSpec = {
  name: 'delete',
  usage: 'delete <remotefile>',
  complete: ['none'],
  summary: 'delete a file in the vessels of the default target',
  run: async (ctx, args) => {
    if (args.length !== 1) throw new CommandError(`usage: ${del.usage}`)
    const remote = checkRemoteName(args[0]!)
    const { report } = await ctx.onVessels({
      vessels: ctx.state.defaultVessels(),
      signed: true,
      task: (conn, v) => conn.call('DeleteFileInVessel', [v.vessel, remote]),
      toJson: () => 'deleted',
    })
    return { lines: reportLines(`delete ${remote}`, report), fanout: report }
  },
}

export const showFiles: CommandSpec = {
  name: 'files',
  usage: 'show files',
  summary: 'the files in each vessel of the default target',
  run: async (ctx) => {
    const { report, values } = await ctx.onVessels({
      vessels: ctx.state.defaultVessels(),
      signed: true,
      task: (conn, v) => conn.call('ListFilesInVessel', [v.vessel]),
    })
    const lines = [...values].map(([name, files]) => `${name}: ${files.length === 0 ? '(no files)' : files.join(' ')}`)
    return { lines: [...lines, ...reportLines('show files', report)], fanout: report }
  },
}

/** Multi-line output per vessel, each under a header line. */
export function perVessel<T>(values: Map<string, T>, text: (value: T) => string): string[] {
  const lines: string[] = []
  for (const [name, value] of values) {
    lines.push(`--- ${name}`)
    const body = text(value).replace(/\n$/, '')
    if (body !== '') lines.push(...body.split('\n'))
  }
  return lines
}

export const FILE_COMMANDS: CommandSpec[] = [upload, download, cat, del]
