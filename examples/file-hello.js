// Write "hello world" to a file, then read it back (tutorial example 2.1). openfile(name, create) never
// truncates; readat(null, 0) reads the whole file.
// Run: node bin/flotilla run examples/restrictions.test examples/file-hello.js
/// <reference path="../types/flotilla-guest.d.ts" />

const myfile = openfile('hello.file', true)
myfile.writeat('hello world\n', 0)
myfile.close()

const again = openfile('hello.file', false)
log(again.readat(null, 0))
again.close()
