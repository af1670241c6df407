/**
 * axe-core in a page under test: the accessibility violations of impact serious or critical,
 * by rule id and node. The library is evaluated through the browser's debugging protocol, so
 * the page's Content-Security-Policy (no inline script without the response's nonce) stays on.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core'), 'utf8');

export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  // a string: the test project has no DOM types; playwright awaits the promise it evaluates to
  const result = await page.evaluate<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }>('window.axe.run()');
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

/** Every accessibility violation axe-core finds, whatever its impact, by rule id and node. */
export async function allViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }>('window.axe.run()');
  return result.violations.map((v) => `${v.id} (${v.impact ?? 'no impact'}): ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}
