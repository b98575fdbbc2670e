/**
 * The graph panel's HTML. It has no `vscode` import, so the webview tests serve the same
 * page, Content-Security-Policy included, from a local test server.
 */

export interface GraphHtmlOptions {
  /** `webview.cspSource`: the origin the webview may load scripts, styles and images from. */
  cspSource: string;
  /** Fresh random nonce for this page's script tag. */
  nonce: string;
  scriptUri: string;
  workerUri: string;
  styleUri: string;
  /** Language tag for `<html lang>`, such as `vscode.env.language`. */
  language: string;
  title: string;
  /** Lets a test page reach the view; the extension never sets it. */
  testHooks?: boolean;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Builds the page. Scripts run only with the nonce. The worker script is fetched (connect-src)
 * and started from a blob: URL, because browsers start workers only from the document's own
 * origin or from blob: URLs. The stylesheet link carries the id Cytoscape uses for its own
 * style element, so Cytoscape skips injecting an inline style that the policy would block.
 */
export function graphHtml(options: GraphHtmlOptions): string {
  const attribute = escapeAttribute;
  const policy = [
    "default-src 'none'",
    `script-src 'nonce-${options.nonce}'`,
    `style-src ${options.cspSource}`,
    `img-src ${options.cspSource} data: blob:`,
    `font-src ${options.cspSource}`,
    `connect-src ${options.cspSource}`,
    'worker-src blob:',
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${attribute(options.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attribute(policy)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link id="__________cytoscape_stylesheet" rel="stylesheet" href="${attribute(options.styleUri)}">
<title>${attribute(options.title)}</title>
</head>
<body data-worker-uri="${attribute(options.workerUri)}"${options.testHooks ? ' data-test-hooks="on"' : ''}>
<div id="toolbar"></div>
<div id="notice" class="notice" role="status" hidden></div>
<main class="stage">
<div id="graph" class="graph"></div>
<div id="legend" class="legend-host"></div>
</main>
<script nonce="${attribute(options.nonce)}" src="${attribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
