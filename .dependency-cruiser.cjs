// `npm run check:deps`: the import graph of src/ stays a hierarchy. CI runs it before the tests (.ci/run).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A module never imports itself back through others: put what both need in a lower module, or pass it in.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'runtime-imports-only-runtime',
      comment:
        'The sandbox runtime is the bottom layer: the front ends (src/repy, src/front-ends.ts), the node, the client, ' +
        'the shell, the CLI and the console plug into it or use it, never the reverse.',
      severity: 'error',
      from: { path: '^src/runtime/' },
      to: { path: '^src/', pathNot: '^src/runtime/' },
    },
    {
      name: 'p2p-below-node-and-client',
      comment:
        'src/p2p (libp2p creation, the DHT and discovery services, stream framing) is shared by the node, the client ' +
        'and anything else that speaks libp2p: it imports none of them.',
      severity: 'error',
      from: { path: '^src/p2p/' },
      to: { path: '^src/(node|client|shell|cli|tui|repy)/' },
    },
    {
      name: 'log-is-the-bottom',
      comment: 'src/log is the logging contract every layer may write to: it imports nothing of ours.',
      severity: 'error',
      from: { path: '^src/log/' },
      to: { path: '^src/', pathNot: '^src/log/' },
    },
    {
      name: 'client-does-not-import-node',
      comment: 'The client speaks to a node over the wire; what both need lives in src/p2p or src/protocol.',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/node/' },
    },
    {
      name: 'pool-uses-only-the-shared-node-service',
      comment:
        'A pool (src/pool) builds on p2p, protocol, keys, client and log; of the node manager it shares only the ' +
        'protocol service (src/node/protocol-service.ts and what that file needs), never its handlers or state.',
      severity: 'error',
      from: { path: '^src/pool/' },
      to: { path: '^src/(node|shell|cli|tui|repy|runtime)/', pathNot: '^src/node/protocol-service[.]ts$' },
    },
    {
      name: 'node-does-not-import-pool',
      comment: 'A node knows nothing of pools: a donated vessel is a vessel whose owner is a pool key.',
      severity: 'error',
      from: { path: '^src/node/' },
      to: { path: '^src/pool/' },
    },
    {
      name: 'client-imports-only-pool-wire-definitions',
      comment: "The client speaks the pool's protocol: it may import its call table and answer shapes, nothing else.",
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/pool/', pathNot: '^src/pool/pool-calls[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
}
