/** Before ink loads for a live screen on a real terminal: ink renders only the final frame when it thinks it runs
 *  in CI (a CI variable inherited by the terminal), and react-reconciler runs its development build unless told. */
export function prepareInkTerminal(): void {
  delete process.env.CI
  delete process.env.CONTINUOUS_INTEGRATION
  process.env.NODE_ENV ??= 'production'
}
