// Test files order: on a fresh clone vitest has no durations cached and runs the largest files first, which can leave
// a long file that cannot use more than one core (the 24-node DHT in one process) or that waits out a fixed minute
// (the tutorial's example.1.4 runs 60 s) to start last and stretch the whole run. These start first, in this order;
// the rest follow vitest's own order (failed, then longest cached, then largest), except the files with many nodes
// in one process (eight and 22 node managers, 30 DHT nodes), which come last: run next to the 24-node DHT on a loaded
// machine, both starved (lookups found nothing for 90 s).
import { BaseSequencer, type TestSpecification } from 'vitest/node'

const SLOW_FIRST = [
  'test/repy/examples.test.ts',
  'test/discovery/network.test.ts',
  'test/cli/stop-start.test.ts',
  'test/node/node-cli.test.ts',
  'test/shell/shell-nodes.test.ts',
]
const LAST = [
  'test/discovery/node-manager-discovery.test.ts',
  'test/discovery/many-providers.test.ts',
  'test/discovery/browse-many-nodes.test.ts',
]

export default class TestOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = SLOW_FIRST.findIndex((name) => f.moduleId.endsWith(name))
      if (i !== -1) return i
      return LAST.some((name) => f.moduleId.endsWith(name)) ? SLOW_FIRST.length + 1 : SLOW_FIRST.length
    }
    const ordered = await super.sort(files)
    return ordered
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f)
  }
}
