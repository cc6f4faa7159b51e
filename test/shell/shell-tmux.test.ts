// The interactive shell in a real terminal (tmux): prompt, tab completion, history, a command on %all with its
// progress line, a failure on one node shown and grouped, bad input answered in one line while the shell goes on.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, HELLO, silentServer, startTestbed, waitFor, type Testbed } from './helpers.js'

const session = `flotilla-shell-${process.pid}`
let bed: Testbed
let silent: Awaited<ReturnType<typeof silentServer>>

// capture-pane drops trailing blanks: the prompt shows as ` !>` at the end of a line.
// a tmux server of its own (-L), shared with no other test file
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' })
const screen = () => tmux('capture-pane', '-p', '-t', session, '-S', '-200')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** Types a line the way a person does: the text, a pause, then Enter. */
async function type(text: string, enter = true): Promise<void> {
  tmux('send-keys', '-t', session, '-l', text)
  await sleep(300)
  if (enter) tmux('send-keys', '-t', session, 'Enter')
}
const until = (what: string | RegExp, ms = 15_000) =>
  waitFor(
    async () => {
      const s = screen()
      return (typeof what === 'string' ? s.includes(what) : what.test(s)) && s
    },
    `screen to show ${what}`,
    ms,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; the screen:\n${screen()}`)
  })

beforeAll(async () => {
  bed = await startTestbed(2, 2)
  silent = await silentServer('127.0.0.7')
  writeFileSync(join(bed.dir, 'hello.js'), HELLO)
  // a third "node" that accepts connections and never answers
  writeFileSync(join(bed.dir, 'three.txt'), `${bed.nodes.map((n) => n.address).join('\n')}\n`)
  tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '160',
    '-y',
    '50',
    '-c',
    bed.dir,
    `node ${CLI} shell; echo "the shell exited with $?"; sleep 30`,
  )
  await until(/ !>/)
}, 60_000)
afterAll(async () => {
  try {
    tmux('kill-server')
  } catch {
    /* already gone */
  }
  await silent?.close()
  await bed?.stop()
})

describe('interactive shell in tmux', () => {
  it('shows the prompt, completes commands and files with Tab, answers bad input in one line', async () => {
    await type('loadk', false)
    tmux('send-keys', '-t', session, 'Tab')
    await until(/ !> loadkeys$/m)
    await type('alice')
    await until('alice@ !>')
    await type('frobnicate')
    await until("error: unknown command 'frobnicate'")
    await type('run nothere.js')
    await until('error: no target')
    await type('contact three.txt')
    await until(/contact: ok on 2 nodes/)
    await type('on %a', false)
    tmux('send-keys', '-t', session, 'Tab')
    await sleep(300)
    tmux('send-keys', '-t', session, 'Enter')
    await until('alice@%all !>')
    await type('run hel', false)
    tmux('send-keys', '-t', session, 'Tab')
    await until(/run hello\.js$/m)
    await type(' 5')
    await until(/run hello\.js: ok on 4 vessels/)
    expect(screen()).not.toMatch(/\n\s+at /)
  })

  it('history: Up brings back the last command; Ctrl-C at the prompt clears the line', async () => {
    await type('show timeout')
    await until('timeout 30 s per node; up to 32 nodes at once')
    tmux('send-keys', '-t', session, 'Up')
    await until(/%all !> show timeout\s*$/m)
    // (backspaces sent one by one were merged into one key on a loaded machine; Ctrl-C clears the whole line)
    tmux('send-keys', '-t', session, 'C-c')
    await until(/%all !>\s*$/m)
    expect(screen()).not.toContain('cancelling')
  })

  it('Ctrl-C cancels the running command, not the shell; a line typed while a command runs waits its turn', async () => {
    await type('sleep 60')
    await until('working…')
    // Enter and Ctrl-C in one send-keys: the shell may read them as one chunk, as it did on a loaded machine
    await type('help exit', false)
    tmux('send-keys', '-t', session, 'Enter', 'C-c')
    await until('^C cancelling the running command and 1 waiting')
    await until(/error: cancelled \(Ctrl-C\) \[E_CANCELLED\]\n.*%all !>/)
    tmux('send-keys', '-t', session, 'C-c')
    await until('`exit` or Ctrl-D leaves the shell')
    await type('sleep 2')
    await type('help sleep')
    await until(/%all !> sleep 2\n.*%all !> help sleep\nsleep <seconds>\n +wait a while/)
    expect(screen()).not.toContain('leave the shell (also quit)') // the dropped line never ran
  })

  it('a node that does not answer: the progress line while it waits, then the failure shown once and grouped', async () => {
    await type('set timeout 3')
    await until('timeout is now 3 s')
    await type(`contact ${silent.address}`)
    await until(/contact: 0\/1 done, 0 failed, 1 remaining/, 3000)
    await until(/contact: 0 ok, 1 failed of 1 node .*\n.*timed out after 3 s \[E_TIMEOUT\]/)
    // a failure on one node among several: stop node 1, then act on %all
    await type('set timeout 5')
    const stopped = bed.nodes[1]!
    stopped.process.kill('SIGKILL')
    await new Promise((r) => stopped.process.once('exit', r))
    await type('show files')
    await until(/show files: 2 ok, 2 failed of 4 vessels/)
    const s = screen()
    const short = stopped.peerId.slice(-6)
    expect(s).toMatch(new RegExp(`failed on ${short}:v1, ${short}:v2: [\\s\\S]*?\\[E_(UNREACHABLE|TIMEOUT)\\]`))
    expect(s.match(/failed on /g)?.length).toBe(2) // the contact failure and this one: each error once
    expect(s).toContain('groups: showfilesgood, showfilesfail')
    await type('on showfilesfail')
    await until('alice@showfilesfail !>')
    await type('exit')
    // the shell ended by itself (exit code 1: a target failed in this session); no prompt waits for input
    await until(/showfilesfail !> exit\s*\nthe shell exited with 1\s*$/)
  })
})
