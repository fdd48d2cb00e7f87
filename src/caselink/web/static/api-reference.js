// The interactive API reference on /developers/api: Swagger UI, served from our own assets, reading
// our OpenAPI description. A static file (not an inline script) so the strict CSP needs no exception.
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: target.getAttribute("data-openapi-url"),
    domNode: target,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    // No call to validator.swagger.io (another site, and refused by our CSP anyway).
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    tryItOutEnabled: false,
  });
})();
