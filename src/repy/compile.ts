// Compiler from the Repy AST to the JavaScript module function described in src/repy/guest/contract.ts.
import type { Module } from './ast.js'
import { StmtCompiler } from './compile-stmt.js'

/** Returns the text of `(function ($rt) { ... return function* $module($G) { ... } })` for a checked module. */
export function compileModule(m: Module, filename: string): string {
  return new StmtCompiler(filename).compileModule(m)
}
