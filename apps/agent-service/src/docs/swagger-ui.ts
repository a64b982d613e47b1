import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The Swagger UI files /docs serves, by name, with their media types. */
export const SWAGGER_UI_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** Where swagger-ui-dist lies (beside the bundle in the production image). */
export function swaggerUiDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

export function swaggerUiFile(name: string): string {
  return join(swaggerUiDirectory(), name);
}

// Loaded from a file, not inline: the Content-Security-Policy allows scripts from 'self' only.
// The document's URL is relative to the page, so the service may sit behind a path prefix.
export const SWAGGER_UI_INIT_JS = `window.addEventListener('load', function () {
  var spec = window.location.pathname.endsWith('/') ? '../openapi.json' : 'openapi.json';
  window.ui = SwaggerUIBundle({
    url: spec,
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'BaseLayout',
  });
});
`;

/** The page, with its files addressed relative to `/docs` (`base` is `docs/`) or `/docs/` (`./`). */
export function swaggerUiHtml(base: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>AI Agent Service API</title>
  <link rel="stylesheet" type="text/css" href="${base}swagger-ui.css">
  <link rel="stylesheet" type="text/css" href="${base}index.css">
  <link rel="icon" type="image/png" href="${base}favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="${base}favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${base}swagger-ui-bundle.js"></script>
  <script src="${base}swagger-ui-standalone-preset.js"></script>
  <script src="${base}swagger-ui-init.js"></script>
</body>
</html>
`;
}
