// Set up for every test file (vitest.config.ts): its temp folders go when it ends. Hooks of a setup file run after
// the file's own afterAll hooks, so the nodes and hosts a file started have stopped by then.
import { afterAll } from 'vitest'
import { removeTempDirs } from './temp-dir.js'

afterAll(removeTempDirs)
