// Test files order: on a fresh clone vitest has no durations cached and runs the largest files first, which can leave
// a long file to start last and stretch the whole run (a 12-node DHT or 22 node managers in one process cannot use
// more than one core). The files below start first, longest first (durations of a whole run, 3-4 workers on 2 cores),
// so that the workers finish together; the rest follow vitest's own order (failed, then longest cached, then
// largest). A file's duration in vitest's report leaves out its beforeAll: the 22 node managers of
// browse-many-nodes took 13 s of a core before their 4.5 s of tests, and run last with many-providers they were the
// last 29 s of a quiet run with one core mostly idle.
// The cpu-heavy libp2p networks in one process do not run side by side: on a loaded machine both starved (lookups
// found nothing for 90 s). The DHT starts first; the 22 node managers after the six files listed before them, and
// the five of node-manager-discovery and the providers of many-providers later still, each once the one before
// it has ended in a quiet run (the files between keep the other two workers busy longer than it runs; in a whole
// run on a loaded machine the DHT took 43 s, the first files after it 270 s of the other two workers' time).
import { BaseSequencer, type TestSpecification } from 'vitest/node'

const SLOW_FIRST = [
  'test/discovery/network.test.ts',
  'test/shell/shell-nodes.test.ts',
  'test/p2p/nat-netns.test.ts',
  'test/tui/console.test.ts',
  'test/cli/stop-start.test.ts',
  'test/node/vessel-memory.test.ts',
  'test/conformance/conformance.test.ts',
  'test/discovery/browse-many-nodes.test.ts',
  'test/runtime/nanny-enforcement.test.ts',
  'test/runtime/nanny-hostile.test.ts',
  'test/repy/programs.test.ts',
  'test/pool/pool-cli.test.ts',
  'test/repy/examples.test.ts',
  'test/repy/hostile.test.ts',
  'test/discovery/node-manager-discovery.test.ts',
  'test/pool/pool-web.test.ts',
  'test/node/nm-durability.test.ts',
  'test/pool/pool-nodes.test.ts',
  'test/shell/shell-tmux.test.ts',
  'test/examples.test.ts',
  'test/discovery/many-providers.test.ts',
  'test/node/nm-bad-input.test.ts',
  'test/node/node-cli.test.ts',
  'test/node/nm-node-log.test.ts',
  'test/node/answer-bounds.test.ts',
  'test/runtime/hostile.test.ts',
  'test/cli/run.test.ts',
  'test/runtime/hostile-boundary.test.ts',
  'test/runtime/spare-threads.test.ts',
  'test/node/protocol-service.test.ts',
  'test/repy/deploy.test.ts',
  'test/runtime/api/log-rate.test.ts',
  'test/node/nm-auth.test.ts',
]

export default class TestOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = SLOW_FIRST.findIndex((name) => f.moduleId.endsWith(name))
      return i === -1 ? SLOW_FIRST.length : i
    }
    const ordered = await super.sort(files)
    return ordered
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f)
  }
}
