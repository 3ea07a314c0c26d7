// The preview's stand-in for App Bridge (https://cdn.shopify.com/shopifycloud/app-bridge.js, which
// is unreachable offline and only works inside the Shopify admin). It does what the real script
// does for this app: defines `window.shopify` (idToken, toast, loading, config), adds
// `Authorization: Bearer <session token>` to the app's own fetches, answers the session-token
// bounce page, and shows the ui-nav-menu links as a bar. No resourcePicker: pages fall back to a
// plain variant select when it is missing.

export interface StandInConfig {
  apiKey: string;
  shop: string;
  host: string;
  tokenPath: string;
}

export function appBridgeStandInScript(config: StandInConfig): string {
  return `/* Lotkeeper preview: App Bridge stand-in. Never served in production. */
(function () {
  "use strict";
  var config = ${JSON.stringify(config)};
  var nativeFetch = window.fetch.bind(window);
  var cached = null;

  function idToken() {
    if (cached && cached.exp - 15 > Date.now() / 1000) return Promise.resolve(cached.token);
    return nativeFetch(config.tokenPath, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("preview: could not get a session token (" + r.status + ")");
        return r.json();
      })
      .then(function (body) { cached = body; return body.token; });
  }

  function isOwnApp(url) {
    return url.origin === window.location.origin && url.pathname.indexOf("/preview/") !== 0;
  }

  window.fetch = function (input, init) {
    var url = new URL(input instanceof Request ? input.url : String(input), window.location.href);
    if (!isOwnApp(url)) return nativeFetch(input, init);
    return idToken().then(function (token) {
      if (input instanceof Request) {
        var request = new Request(input, init);
        if (!request.headers.has("Authorization")) request.headers.set("Authorization", "Bearer " + token);
        return nativeFetch(request);
      }
      var headers = new Headers((init && init.headers) || undefined);
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + token);
      return nativeFetch(input, Object.assign({}, init, { headers: headers }));
    });
  };

  // The library's bounce page (/auth/session-token) asks App Bridge to reload with a fresh id_token.
  if (window.location.pathname === "/auth/session-token") {
    var reload = new URLSearchParams(window.location.search).get("shopify-reload");
    if (reload) {
      idToken().then(function (token) {
        var target = new URL(reload, window.location.href);
        target.searchParams.set("id_token", token);
        window.location.replace(target.pathname + target.search);
      });
    }
  }

  var toastHost = null;
  function showToast(message, options) {
    if (!toastHost) {
      toastHost = document.createElement("div");
      toastHost.setAttribute("data-preview-toasts", "");
      toastHost.style.cssText = "position:fixed;bottom:24px;left:50%;transform:translateX(-50%);z-index:100000;display:flex;flex-direction:column;gap:8px;align-items:center";
      document.body.appendChild(toastHost);
    }
    var toast = document.createElement("div");
    toast.setAttribute("role", "status");
    toast.className = "preview-toast";
    toast.textContent = String(message);
    var isError = options && options.isError;
    toast.style.cssText = "padding:10px 16px;border-radius:10px;color:#fff;font:14px/20px system-ui,sans-serif;box-shadow:0 4px 12px rgba(0,0,0,.25);background:" + (isError ? "#8e1f0b" : "#1a1a1a");
    toastHost.appendChild(toast);
    setTimeout(function () { toast.remove(); }, (options && options.duration) || 5000);
    return String(Date.now());
  }

  var noop = function () {};
  window.shopify = {
    config: { apiKey: config.apiKey, shop: config.shop, host: config.host, locale: "en" },
    environment: { embedded: false, mobile: false, pos: false, preview: true },
    origin: window.location.origin,
    idToken: idToken,
    toast: { show: showToast, hide: noop },
    loading: noop,
    saveBar: { show: function () { return Promise.resolve(); }, hide: function () { return Promise.resolve(); }, toggle: noop, leaveConfirmation: function () { return Promise.resolve(); } },
    modal: { show: function () { return Promise.resolve(); }, hide: function () { return Promise.resolve(); }, toggle: noop },
  };

  // <ui-nav-menu> is drawn by the admin beside the app; here it becomes a bar above the page.
  var style = document.createElement("style");
  style.textContent =
    "ui-nav-menu{display:flex;gap:4px;align-items:center;padding:8px 16px;background:#1a1a1a;font:500 13px/20px system-ui,sans-serif}" +
    "ui-nav-menu::before{content:'Lotkeeper preview \\\\2014  ' attr(data-shop);color:#b5b5b5;margin-right:12px}" +
    "ui-nav-menu a{color:#e3e3e3;text-decoration:none;padding:4px 10px;border-radius:8px}" +
    "ui-nav-menu a:hover{background:#303030;color:#fff}";
  document.head.appendChild(style);
  if (window.customElements && !window.customElements.get("ui-nav-menu")) {
    window.customElements.define("ui-nav-menu", class extends HTMLElement {
      connectedCallback() { this.setAttribute("data-shop", config.shop); }
    });
  }
})();
`;
}
