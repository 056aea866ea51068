// Follows a NetNym sign-in to completion (spec/13-oidc.md, OIDC-022): polls the session's
// status and continues once the wallet has answered or the request has expired. Served from the
// verifier itself; the page's Content-Security-Policy allows no other script.
(function () {
  "use strict";
  var root = document.getElementById("netnym-signin");
  if (!root) {
    return;
  }
  var statusUrl = root.getAttribute("data-status");
  var continueUrl = root.getAttribute("data-continue");
  function poll() {
    fetch(statusUrl, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        return r.ok ? r.json() : { status: "gone" };
      })
      .then(function (s) {
        if (s.status === "waiting") {
          window.setTimeout(poll, 1500);
        } else {
          window.location.assign(continueUrl);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }
  window.setTimeout(poll, 1000);
})();
