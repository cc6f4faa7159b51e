// A node donated at init tells its pool where it is (an Announce signed with the node's key): at start, and again
// each time the addresses it announces change. A node behind NAT starts at addresses the pool cannot reach and
// gains a relayed one a few seconds later; without the second Announce the pool keeps the first ones. One Announce
// at a time; addresses that change while one is under way are sent next (only the newest). The pool also finds the
// node in the DHT, so a failure is a warning only.
import type { Logger } from '../log/logger.js'
import { loadKeyPair } from '../keys/key-files.js'
import { NODE_KEY_NAME } from '../node/node-config.js'

export class PoolAnnouncer {
  private sending = false
  private next: string[] | null = null

  constructor(
    private readonly pool: string,
    private readonly keysDir: string,
    private readonly log: Logger,
  ) {}

  /** Tells the pool the node is at `addresses` (after the Announce under way, if any). */
  announce(addresses: string[]): void {
    this.next = addresses
    if (!this.sending) void this.drain()
  }

  private async drain(): Promise<void> {
    this.sending = true
    while (this.next !== null) {
      const addresses = this.next
      this.next = null
      await this.send(addresses)
    }
    this.sending = false
  }

  private async send(addresses: string[]): Promise<void> {
    try {
      const [{ announceToPool }, nodeKey] = await Promise.all([
        import('../client/donate.js'),
        loadKeyPair(this.keysDir, NODE_KEY_NAME),
      ])
      const result = await announceToPool(this.pool, addresses, nodeKey, { timeoutMs: 30_000 })
      const vessels = `${result.vessels} vessel${result.vessels === 1 ? '' : 's'}`
      this.log.info(`told the pool ${this.pool} this node is at ${addresses.join(' ')}: it holds ${vessels} of it`, {
        event: 'pool',
        addresses,
      })
    } catch (err) {
      this.log.warn(`could not tell the pool ${this.pool}: ${err instanceof Error ? err.message : String(err)}`, {
        event: 'pool',
      })
    }
  }
}
