/**
 * The Content-Security-Policy nonce of a response (set by server/api/app.ts for every request):
 * no script or style element runs or applies without it.
 */

/**
 * Gives every `<script>` and `<style>` element of a document of ours the response's nonce.
 * Only for our own templates: what they print from data is escaped by Handlebars, so no
 * element can come from input.
 */
export function withNonce(html: string, nonce: string): string {
  return html.replace(/<(script|style)(?=[\s>])/g, `<$1 nonce="${nonce}"`);
}
