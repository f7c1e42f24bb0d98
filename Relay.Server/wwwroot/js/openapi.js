// The API reference: swagger-ui's bundle (served from /lib, never a CDN) over this server's own document.
// No standalone preset: its top bar would let a visitor point the page at any other document.
window.ui = window.SwaggerUIBundle({
  url: '/openapi/v1.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // The default sends the document to validator.swagger.io for a badge: a request to another origin.
  validatorUrl: null,
  // ?url= / ?configUrl= in the address must not load another document into this page.
  queryConfigEnabled: false,
  // The bearer token entered under "Authorize" lives in this tab's memory only: an operator's credential is
  // not left in localStorage for the next user of the browser or for any script on this origin to read.
  persistAuthorization: false,
});
