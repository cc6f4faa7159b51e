// Write a file for each argument, list the vessel's files, then remove them (tutorial example 2.2).
// File names are Repy names: a-z 0-9 . _ - only, so 'A/B' raises RepyArgumentError.
// Run: node bin/flotilla run examples/restrictions.test examples/files-list.js one.txt two.txt
/// <reference path="../types/flotilla-guest.d.ts" />

for (const filename of callargs) {
  const f = openfile(filename, true)
  f.writeat('hello world\n', 0)
  f.close()
}
log(listfiles(), '\n')
for (const filename of callargs) removefile(filename)
log('The files:', callargs, 'should now be missing from', listfiles(), '\n')
