// The API reference: Scalar's standalone bundle (served from /lib, never a CDN) over this server's own document.
// Its theme names fonts on Scalar's CDN; the page's CSP refuses them (this origin only), so system fonts stand in.
window.Scalar.createApiReference('#api-reference', {
  url: '/openapi/v1.json',
  withDefaultFonts: false,
  hideClientButton: true,
  telemetry: false,
  customCss: ':root, .scalar-app, .light-mode, .dark-mode {'
    + ' --scalar-font: ui-sans-serif, system-ui, sans-serif !important;'
    + ' --scalar-font-code: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace !important; }',
});
