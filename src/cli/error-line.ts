/** The one prefix of every CLI error line: `oma-reconciler: error: MESSAGE`. */
export function errorLine(message: string): string {
  return `oma-reconciler: error: ${message}\n`;
}
