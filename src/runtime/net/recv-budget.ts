// What remote peers sent a vessel without its program asking: bytes of connections it has not accepted yet and
// datagrams it has not read yet, held on the sandbox host's main thread. Shared by the vessel's TCP and UDP brokers:
// past the limit such connections are paused (the kernel's window then holds the peer back) and datagrams are
// dropped. Accepted connections are bounded each (tcp-broker.ts) and counted by the program's outsockets.

/** Such bytes one vessel may have waiting on the host, all its sockets together. */
export const VESSEL_RECV_LIMIT = 1 << 20

export class RecvBudget {
  used = 0
  constructor(readonly limit: number = VESSEL_RECV_LIMIT) {}

  get full(): boolean {
    return this.used >= this.limit
  }

  take(bytes: number): void {
    this.used += bytes
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes)
  }
}
