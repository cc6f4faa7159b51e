// Test files order: on a fresh clone vitest has no durations cached and runs the largest files first, which can leave
// a long file (the 24-node DHT in one process cannot use more than one core) to start last and stretch the whole run.
// These start first, longest first (durations of a whole run), so that the workers finish together; the rest follow
// vitest's own order (failed, then longest cached, then largest), except the files with many nodes in one process
// (eight and 22 node managers, 30 DHT nodes), which come last: run next to the 24-node DHT on a loaded machine, both
// starved (lookups found nothing for 90 s).
import { BaseSequencer, type TestSpecification } from 'vitest/node'

const SLOW_FIRST = [
  'test/discovery/network.test.ts',
  'test/shell/shell-nodes.test.ts',
  'test/conformance/conformance.test.ts',
  'test/pool/pool-nodes.test.ts',
  'test/repy/deploy.test.ts',
  'test/cli/stop-start.test.ts',
  'test/node/node-cli.test.ts',
  'test/examples.test.ts',
  'test/pool/pool-web.test.ts',
  'test/node/nm-auth.test.ts',
  'test/repy/hostile.test.ts',
  'test/tui/console.test.ts',
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
