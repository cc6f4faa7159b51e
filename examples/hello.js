// Hello World: the tutorial's first example (example.1.1). log() writes its arguments and adds no newline.
// Run: node bin/flotilla run examples/restrictions.test examples/hello.js
/// <reference path="../types/flotilla-guest.d.ts" />
log('Hello World\n')
