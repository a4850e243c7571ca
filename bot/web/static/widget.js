/*!
 * Trygg havn – chat widget. One script tag embeds it:
 *
 *   <script src="https://bot.example/widget.js" data-server="https://bot.example" data-language="nb"
 *           data-title="Trygg havn" data-color="#1b5e7a" defer></script>
 *
 * data-server   where the chat API is (default: where this script came from)
 * data-language "nb" (bokmål, default) or "da" (Danish)
 * data-audience who uses the page: "pedagog", "leder" or "fosterforelder" (the bot then does not
 *               ask; unset: it asks once when an answer is written differently for each)
 * data-title    the name shown in the header and on the launcher (default "Trygg havn")
 * data-color    the accent colour, #rgb or #rrggbb (text on it is black or white, whichever has AA contrast)
 * data-idle-minutes  after this many minutes without activity the conversation is closed (default 30)
 *
 * Shared computers (a daycare's PC): the conversation and its session live only in this browser
 * tab (sessionStorage – a new tab or window starts empty, closing the tab forgets it) and only
 * until it has been idle for data-idle-minutes. Then nothing of it stays visible or usable; the
 * widget only offers to delete it on the server too. "Ny samtale" offers the same first, so a user
 * never loses the way to delete what they wrote.
 *
 * It defines <trygg-havn-chat> (a place for it can also be put in the page by hand, with the same
 * attributes without "data-"). No framework, shadow DOM, no innerHTML for any text: user and bot
 * texts are text nodes, URLs become links built with DOM APIs (http/https only).
 */
(function () {
  "use strict";

  var TAG = "trygg-havn-chat";
  if (!window.customElements || window.customElements.get(TAG)) return;

  var script = document.currentScript;
  var scriptSrc = (script && script.src) || location.href;
  var scriptData = (script && script.dataset) || {};

  var TEXTS = {
    nb: {
      launcher: "Spør {title}",
      close: "Lukk chatten",
      newChat: "Ny samtale",
      deleteChat: "Slett samtalen",
      intro: "Hei! Jeg svarer på spørsmål om tilknytning og Omsorgsgrebet.",
      privacy: "Ikke skriv navn eller andre personopplysninger. Du kan slette samtalen når som helst.",
      log: "Samtale med {title}",
      you: "Du skrev:",
      bot: "{title} svarte:",
      inputLabel: "Skriv spørsmålet ditt",
      placeholder: "Skriv spørsmålet ditt …",
      send: "Send",
      typing: "{title} skriver …",
      choices: "Svaralternativer",
      retry: "Prøv igjen",
      network: "Jeg får ikke kontakt akkurat nå. Sjekk nettforbindelsen og prøv igjen.",
      unavailable: "Jeg kan ikke svare akkurat nå – prøv igjen om et minutt.",
      newTab: " (åpnes i ny fane)",
      download: "Last ned referatet ({file})",
      newStarted: "Ny samtale startet.",
      deleted: "Samtalen er slettet fra denne nettleseren.",
      newOffer: "Vil du slette samtalen hos oss før du starter en ny?",
      deleteAndNew: "Slett og start ny",
      keepAndNew: "Start ny uten å slette",
      cancel: "Avbryt",
      expiredOffer: "Den forrige samtalen ble lukket fordi ingen skrev noe på en stund. Vil du også slette den hos oss?",
      deleteOld: "Ja, slett den",
      keepOld: "Nei takk",
      serverDeleted: "Den forrige samtalen er slettet hos oss.",
      offerLabel: "Slette samtalen?"
    },
    da: {
      launcher: "Spørg {title}",
      close: "Luk chatten",
      newChat: "Ny samtale",
      deleteChat: "Slet samtalen",
      intro: "Hej! Jeg svarer på spørgsmål om tilknytning og Omsorgsgrebet.",
      privacy: "Skriv ikke navne eller andre personoplysninger. Du kan slette samtalen når som helst.",
      log: "Samtale med {title}",
      you: "Du skrev:",
      bot: "{title} svarede:",
      inputLabel: "Skriv dit spørgsmål",
      placeholder: "Skriv dit spørgsmål …",
      send: "Send",
      typing: "{title} skriver …",
      choices: "Svarmuligheder",
      retry: "Prøv igen",
      network: "Jeg kan ikke få forbindelse lige nu. Tjek netforbindelsen og prøv igen.",
      unavailable: "Jeg kan ikke svare lige nu – prøv igen om et minut.",
      newTab: " (åbner i en ny fane)",
      download: "Hent referatet ({file})",
      newStarted: "Ny samtale startet.",
      deleted: "Samtalen er slettet fra denne browser.",
      newOffer: "Vil du slette samtalen hos os, før du starter en ny?",
      deleteAndNew: "Slet og start ny",
      keepAndNew: "Start ny uden at slette",
      cancel: "Annuller",
      expiredOffer: "Den forrige samtale blev lukket, fordi ingen skrev noget i et stykke tid. Vil du også slette den hos os?",
      deleteOld: "Ja, slet den",
      keepOld: "Nej tak",
      serverDeleted: "Den forrige samtale er slettet hos os.",
      offerLabel: "Slette samtalen?"
    }
  };

  var DEFAULT_COLOR = "#1b5e7a";
  var BOT_BUBBLE = "#eef2f4";
  var MAX_STORED = 200;
  var REQUEST_TIMEOUT_MS = 45000;
  var DEFAULT_IDLE_MINUTES = 30;
  var TOUCH_EVERY_MS = 5000;  // typing counts as activity, stored at most this often

  var CSS = [
    ":host{all:initial;position:fixed;z-index:2147483000;right:0;bottom:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1f2328}",
    "*,*::before,*::after{box-sizing:border-box}",
    "[hidden]{display:none!important}",
    ".sr{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}",
    "button,textarea{font:inherit;color:inherit}",
    "button{cursor:pointer}",
    ":focus-visible{outline:3px solid #1f2328;outline-offset:2px}",
    ".launcher{position:fixed;right:16px;bottom:16px;display:flex;align-items:center;gap:8px;min-height:48px;padding:10px 18px;border:2px solid var(--th-fg);border-radius:999px;background:var(--th-color);color:var(--th-fg);font-weight:600;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".launcher:hover{filter:brightness(1.08)}",
    ".launcher svg,.icon svg{width:22px;height:22px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}",
    ".panel{position:fixed;right:16px;bottom:84px;width:380px;max-width:calc(100vw - 32px);height:min(620px,calc(100vh - 104px));display:flex;flex-direction:column;background:#fff;border:1px solid #c9d1d6;border-radius:14px;box-shadow:0 10px 36px rgba(0,0,0,.28);overflow:hidden;animation:th-in .16s ease-out}",
    "@keyframes th-in{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}",
    ".head{display:flex;align-items:center;gap:8px;padding:10px 10px 10px 16px;background:var(--th-color);color:var(--th-fg)}",
    ".head h2{flex:1;margin:0;font-size:1.1em;font-weight:700}",
    ".head button:focus-visible{outline-color:var(--th-fg)}",
    ".icon{display:grid;place-items:center;width:44px;height:44px;padding:0;border:0;border-radius:8px;background:transparent;color:var(--th-fg)}",
    ".icon:hover{background:rgba(127,127,127,.25)}",
    ".tools{display:flex;gap:4px;justify-content:flex-end;padding:4px 8px;border-bottom:1px solid #dde3e7;background:#f8fafb}",
    ".tool{min-height:36px;padding:4px 10px;border:0;border-radius:6px;background:transparent;color:#33404a;text-decoration:underline;font-size:.9em}",
    ".tool:hover{background:#e6ebee}",
    ".scroll{flex:1;overflow-y:auto;padding:14px 14px 6px;overscroll-behavior:contain}",
    ".intro{margin:0 0 6px}",
    ".notice{margin:0 0 12px;padding:8px 10px;border-left:4px solid var(--th-link);background:#f3f6f8;color:#33404a;font-size:.875em}",
    ".log{display:flex;flex-direction:column;gap:8px}",
    ".msg{max-width:88%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".msg.user{align-self:flex-end;background:var(--th-color);color:var(--th-fg);border-bottom-right-radius:4px}",
    ".msg.bot{align-self:flex-start;background:" + BOT_BUBBLE + ";color:#1f2328;border-bottom-left-radius:4px}",
    ".msg a{color:var(--th-link);text-decoration:underline}",
    ".msg.user a{color:inherit}",
    ".referat{margin:6px 0 0;padding:8px;border:1px solid #c9d1d6;border-radius:8px;background:#fff;font-size:.9em}",
    ".download{display:inline-block;margin-top:6px;font-weight:600}",
    ".choices{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start;max-width:100%}",
    ".choice{min-height:40px;padding:6px 14px;border:2px solid var(--th-link);border-radius:999px;background:#fff;color:var(--th-link);font-weight:600;text-align:left}",
    ".choice:hover:not(:disabled){background:#eef2f4}",
    ".choice:disabled{cursor:default;border-color:#8a959c;color:#4f5a61;background:#f3f5f6}",
    ".choice.chosen:disabled{border-color:var(--th-link);background:var(--th-link);color:var(--th-link-fg)}",
    ".status{min-height:0}",
    ".typing{display:inline-flex;align-items:center;gap:4px;margin:8px 0;padding:10px 14px;border-radius:14px;background:" + BOT_BUBBLE + "}",
    ".typing i{display:block;width:7px;height:7px;border-radius:50%;background:#4f5a61;animation:th-dot 1.2s infinite ease-in-out}",
    ".typing i:nth-child(2){animation-delay:.15s}.typing i:nth-child(3){animation-delay:.3s}",
    "@keyframes th-dot{0%,80%,100%{opacity:.35;transform:none}40%{opacity:1;transform:translateY(-3px)}}",
    ".error{margin:8px 0;padding:10px 12px;border:1px solid #e0b4ae;border-radius:8px;background:#fdf0ee;color:#7a1b10}",
    ".error p{margin:0 0 8px}",
    ".offer{margin:0 0 12px;padding:10px 12px;border:2px solid var(--th-link);border-radius:8px;background:#fff}",
    ".offer p{margin:0 0 8px}",
    ".offer .choices{margin:0}",
    ".retry{min-height:40px;padding:6px 14px;border:2px solid #7a1b10;border-radius:8px;background:#fff;color:#7a1b10;font-weight:600}",
    ".compose{display:flex;gap:8px;align-items:flex-end;padding:10px;border-top:1px solid #dde3e7;background:#fff}",
    ".compose textarea{flex:1;min-height:44px;max-height:140px;padding:10px 12px;border:2px solid #6b7780;border-radius:10px;resize:none;background:#fff;line-height:1.35}",
    ".compose textarea:focus-visible{outline:3px solid var(--th-link);outline-offset:1px}",
    ".compose textarea::placeholder{color:#5f6b73}",
    ".send{min-height:44px;padding:8px 16px;border:2px solid var(--th-color);border-radius:10px;background:var(--th-color);color:var(--th-fg);font-weight:700}",
    "@media (max-width:600px){.panel{inset:0;right:0;bottom:0;width:100%;max-width:none;height:100%;border:0;border-radius:0}:host(.open) .launcher{display:none}}",
    "@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important;scroll-behavior:auto!important}}",
    "@media (forced-colors:active){.launcher,.send,.choice,.msg{border:1px solid CanvasText}}"
  ].join("\n");

  // ------------------------------------------------------------------------------------------------
  // helpers

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) { return values[key] != null ? values[key] : match; });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === false || value == null) return;
        if (name === "text") node.textContent = value;
        else node.setAttribute(name, value === true ? "" : String(value));
      });
    }
    (children || []).forEach(function (child) { if (child != null) node.append(child); });
    return node;
  }

  function svg(paths) {
    var ns = "http://www.w3.org/2000/svg";
    var root = document.createElementNS(ns, "svg");
    root.setAttribute("viewBox", "0 0 24 24");
    root.setAttribute("aria-hidden", "true");
    root.setAttribute("focusable", "false");
    paths.forEach(function (d) {
      var path = document.createElementNS(ns, "path");
      path.setAttribute("d", d);
      root.appendChild(path);
    });
    return root;
  }

  function channel(hex) {
    var c = parseInt(hex, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }

  function luminance(color) {
    var h = color.replace("#", "");
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    return 0.2126 * channel(h.slice(0, 2)) + 0.7152 * channel(h.slice(2, 4)) + 0.0722 * channel(h.slice(4, 6));
  }

  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function cleanColor(value) {
    return /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value || "") ? value : DEFAULT_COLOR;
  }

  function safeFilename(name) {
    var base = String(name || "").replace(/[^\w.\-æøåÆØÅ]+/g, "_").replace(/^[._]+/, "").slice(0, 80);
    if (!base) base = "referat";
    return /\.txt$/i.test(base) ? base : base + ".txt";
  }

  var URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

  /** Append `text` to `parent` as text nodes, with http(s) URLs as safe links. */
  function appendText(parent, text, newTabText) {
    var last = 0, match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var raw = match[0];
      while (/[.,;:!?»”’)\]]$/.test(raw)) {
        if (raw.slice(-1) === ")" && raw.split("(").length > raw.split(")").length - 1) break;
        raw = raw.slice(0, -1);
      }
      var start = match.index;
      URL_RE.lastIndex = start + raw.length;
      var href = null;
      try {
        var url = new URL(raw);
        if (url.protocol === "http:" || url.protocol === "https:") href = url.href;
      } catch (e) { href = null; }
      if (start > last) parent.append(text.slice(last, start));
      if (href) {
        var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer" });
        link.append(raw, el("span", { "class": "sr", text: newTabText }));
        parent.append(link);
      } else {
        parent.append(raw);
      }
      last = start + raw.length;
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  // The conversation lives in this tab only (sessionStorage), never in localStorage.
  function storageGet(key) {
    try { return JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function storageSet(key, value) {
    try { window.sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode, full */ }
  }

  function forgetOldLocalStorage(key) {
    // earlier versions kept the chat and a 90-day session in localStorage: remove it on sight
    try { window.localStorage.removeItem(key); } catch (e) { /* storage blocked */ }
  }

  function idleMinutes(value) {
    var minutes = parseFloat(value);
    return isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_IDLE_MINUTES;
  }

  // ------------------------------------------------------------------------------------------------
  // the element

  class TryggHavnChat extends HTMLElement {
    connectedCallback() {
      if (this._built) return;
      this._built = true;
      var attr = this.getAttribute.bind(this);
      this.language = (attr("language") || scriptData.language || "nb").toLowerCase().indexOf("da") === 0 ? "da" : "nb";
      this.audience = (attr("audience") || scriptData.audience || "").toLowerCase();
      this.title_ = attr("title") || scriptData.title || "Trygg havn";
      this.removeAttribute("title"); // no tooltip over the whole widget
      var server = attr("server") || scriptData.server || "";
      try { server = new URL(server || "/", scriptSrc).href; } catch (e) { server = new URL("/", scriptSrc).href; }
      this.server = server.replace(/\/+$/, "");
      this.t = {};
      var texts = TEXTS[this.language], self = this;
      Object.keys(texts).forEach(function (key) { self.t[key] = format(texts[key], { title: self.title_ }); });

      var color = cleanColor(attr("color") || scriptData.color);
      var fg = contrast(color, "#ffffff") >= 4.5 ? "#ffffff" : "#111111";
      var link = contrast(color, BOT_BUBBLE) >= 4.5 ? color : "#0b4f6c";
      this.style.setProperty("--th-color", color);
      this.style.setProperty("--th-fg", fg);
      this.style.setProperty("--th-link", link);
      this.style.setProperty("--th-link-fg", contrast(link, "#ffffff") >= 4.5 ? "#ffffff" : "#111111");

      this.storageKey = "trygg-havn-chat:" + this.server + ":" + this.language;
      forgetOldLocalStorage(this.storageKey);
      this.idleMs = idleMinutes(attr("idle-minutes") || scriptData.idleMinutes) * 60000;
      var stored = storageGet(this.storageKey) || {};
      this.state = {
        session: typeof stored.session === "string" ? stored.session : null,
        messages: Array.isArray(stored.messages) ? stored.messages.filter(function (m) { return m && typeof m === "object"; }) : [],
        lastActive: typeof stored.lastActive === "number" ? stored.lastActive : Date.now(),
        expiredSession: typeof stored.expiredSession === "string" ? stored.expiredSession : null
      };
      this.busy = false;
      this.lastAction = null;
      this.offer = null;
      this._build();
      if (!this._checkIdle()) this._renderAll();
      if (this.state.expiredSession) this._showOffer("expired");
      this._armIdleTimer();
      var check = function () { self._checkIdle(); };
      document.addEventListener("visibilitychange", check);
      window.addEventListener("focus", check);
      window.addEventListener("pageshow", check);
    }

    // ---------------------------------------------------------------------------------------------- DOM

    _build() {
      var t = this.t, self = this;
      var root = this.attachShadow({ mode: "open" });
      if ("adoptedStyleSheets" in root && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
      } else {
        root.append(el("style", { text: CSS }));
      }

      this.launcher = el("button", {
        "class": "launcher", type: "button", "aria-haspopup": "dialog", "aria-expanded": "false", "aria-controls": "th-panel"
      }, [svg(["M21 11.5a8.4 8.4 0 0 1-9 8.3 9.3 9.3 0 0 1-3.6-.7L3 21l1.8-4.6A8 8 0 0 1 3 11.5 8.4 8.4 0 0 1 12 3.2a8.4 8.4 0 0 1 9 8.3z"]),
        el("span", { text: t.launcher })]);

      this.closeButton = el("button", { "class": "icon", type: "button", "aria-label": t.close },
        [svg(["M6 6l12 12", "M18 6L6 18"])]);
      this.newButton = el("button", { "class": "tool", type: "button", text: t.newChat });
      this.deleteButton = el("button", { "class": "tool", type: "button", text: t.deleteChat });

      this.log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": t.log });
      this.status = el("div", { "class": "status", role: "status" });
      this.errorText = el("p");
      this.retryButton = el("button", { "class": "retry", type: "button", text: t.retry });
      this.errorBox = el("div", { "class": "error", role: "alert", hidden: true }, [this.errorText, this.retryButton]);
      this.scroller = el("div", { "class": "scroll" }, [
        el("p", { "class": "intro", text: t.intro }),
        el("p", { "class": "notice", text: t.privacy }),
        this.log, this.status, this.errorBox
      ]);

      this.input = el("textarea", { id: "th-input", rows: "1", placeholder: t.placeholder, autocomplete: "off", enterkeyhint: "send" });
      this.sendButton = el("button", { "class": "send", type: "submit", text: t.send });
      this.form = el("form", { "class": "compose", novalidate: true }, [
        el("label", { "class": "sr", "for": "th-input", text: t.inputLabel }), this.input, this.sendButton
      ]);

      this.panel = el("div", { "class": "panel", id: "th-panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "th-title", hidden: true }, [
        el("div", { "class": "head" }, [el("h2", { id: "th-title", text: this.title_ }), this.closeButton]),
        el("div", { "class": "tools" }, [this.newButton, this.deleteButton]),
        this.scroller,
        this.form
      ]);

      root.append(el("aside", { "aria-label": this.title_ }, [this.launcher, this.panel]));

      this.launcher.addEventListener("click", function () { if (self.panel.hidden) self.open(); else self.close(); });
      this.closeButton.addEventListener("click", function () { self.close(); });
      this.newButton.addEventListener("click", function () { self.newConversation(); });
      this.deleteButton.addEventListener("click", function () { self.deleteConversation(); });
      this.retryButton.addEventListener("click", function () { self.retry(); });
      this.form.addEventListener("submit", function (event) { event.preventDefault(); self.submit(); });
      this.input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); self.submit(); }
      });
      this.input.addEventListener("input", function () {
        self._grow();
        if (Date.now() - self.state.lastActive > TOUCH_EVERY_MS) self._touch();
      });
      this.panel.addEventListener("keydown", function (event) { self._panelKey(event); });
    }

    _grow() {
      this.input.style.height = "auto";
      this.input.style.height = Math.min(this.input.scrollHeight + 4, 140) + "px";
    }

    _focusables() {
      return Array.prototype.filter.call(
        this.panel.querySelectorAll("button, a[href], textarea, input, select, [tabindex]:not([tabindex='-1'])"),
        function (node) { return !node.disabled && !node.closest("[hidden]") && node.getClientRects().length > 0; });
    }

    _panelKey(event) {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
        return;
      }
      if (event.key !== "Tab") return;
      var items = this._focusables();
      if (!items.length) return;
      var active = this.shadowRoot.activeElement, first = items[0], last = items[items.length - 1];
      if (event.shiftKey && (active === first || items.indexOf(active) < 0)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || items.indexOf(active) < 0)) {
        event.preventDefault();
        first.focus();
      }
    }

    open() {
      this.panel.hidden = false;
      this.classList.add("open");
      this.launcher.setAttribute("aria-expanded", "true");
      this._scrollDown();
      this.input.focus();
    }

    close() {
      this.panel.hidden = true;
      this.classList.remove("open");
      this.launcher.setAttribute("aria-expanded", "false");
      this.launcher.focus();
    }

    _scrollDown() {
      this.scroller.scrollTop = this.scroller.scrollHeight;
    }

    // ---------------------------------------------------------------------------------------------- rendering

    _save() {
      var messages = this.state.messages;
      if (messages.length > MAX_STORED) messages.splice(0, messages.length - MAX_STORED);
      storageSet(this.storageKey, { v: 2, session: this.state.session, messages: messages,
        lastActive: this.state.lastActive, expiredSession: this.state.expiredSession });
    }

    // ---------------------------------------------------------------------------------------------- idle timeout

    /** Something happened in this conversation: the idle clock starts again. */
    _touch(store) {
      this.state.lastActive = Date.now();
      if (store !== false) this._save();
      this._armIdleTimer();
    }

    _armIdleTimer() {
      var self = this;
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = null;
      if (!this.state.session && !this.state.messages.length) return;
      var wait = Math.max(0, this.state.lastActive + this.idleMs - Date.now()) + 50;
      this.idleTimer = setTimeout(function () { self._checkIdle(); }, Math.min(wait, 2147483000));
    }

    /** Close the conversation when it has been idle too long. True when it was closed now. */
    _checkIdle() {
      var self = this;
      if (this.busy) {  // a request in flight: look again in a second
        clearTimeout(this.idleTimer);
        this.idleTimer = setTimeout(function () { self._checkIdle(); }, 1000);
        return false;
      }
      if (!this.state.session && !this.state.messages.length) return false;
      if (Date.now() - this.state.lastActive < this.idleMs) {
        this._armIdleTimer();
        return false;
      }
      // Nothing of it stays visible or usable: the history is gone, the session is kept only to
      // offer its deletion on the server.
      if (this.state.session) this.state.expiredSession = this.state.session;
      this.state.session = null;
      this.state.messages = [];
      this.lastAction = null;
      this.input.value = "";
      this._hideError();
      this._save();
      this._renderAll();
      if (this.state.expiredSession) this._showOffer("expired");
      return true;
    }

    // ---------------------------------------------------------------------------------------------- "delete on the server first?"

    _showOffer(kind) {
      var t = this.t, self = this;
      this._hideOffer();
      var buttons = kind === "expired"
        ? [[t.deleteOld, function () { self._deleteOnServer(self.state.expiredSession, "expired"); }],
           [t.keepOld, function () { self._dropExpired(); }]]
        : [[t.deleteAndNew, function () { self._deleteOnServer(self.state.session, "new"); }],
           [t.keepAndNew, function () { self._hideOffer(); self._startNew(); }],
           [t.cancel, function () { self._hideOffer(); self.input.focus(); }]];
      var group = el("div", { "class": "choices" });
      buttons.forEach(function (b) {
        var node = el("button", { "class": "choice", type: "button", text: b[0] });
        node.addEventListener("click", b[1]);
        group.append(node);
      });
      this.offerText = el("p", { text: kind === "expired" ? t.expiredOffer : t.newOffer });
      this.offer = el("div", { "class": "offer", role: "group", "aria-label": t.offerLabel }, [this.offerText, group]);
      this.offer.dataset.kind = kind;
      this.scroller.insertBefore(this.offer, this.log);
      this._scrollDown();
    }

    _hideOffer() {
      if (this.offer) this.offer.remove();
      this.offer = null;
    }

    _dropExpired() {
      this.state.expiredSession = null;
      this._save();
      this._hideOffer();
      this.input.focus();
    }

    /** Delete what `session` wrote, on the server, at once (no question from the bot). */
    async _deleteOnServer(session, kind) {
      if (this.busy || !session) return;
      this.busy = true;
      this._hideError();
      this._typing(true);
      var result = null;
      try {
        result = await this._post("/api/session/delete", { session: session, language: this.language, confirm: true });
      } catch (e) {
        result = null;
      }
      this._typing(false);
      this.busy = false;
      // 401: the session is no longer valid on the server – nothing left there to delete
      if (result && (result.ok || result.status === 401)) {
        this._hideOffer();
        if (kind === "expired") {
          this.state.expiredSession = null;
          this._save();
        } else {
          this._startNew();
        }
        this._announce(this.t.serverDeleted);
        this.input.focus();
      } else {
        this._showError(result && typeof result.data.message === "string" && result.data.message ? result.data.message : this.t.network);
      }
    }

    _renderAll() {
      this.log.replaceChildren();
      var self = this;
      this.state.messages.forEach(function (message) { self._render(message); });
      this._scrollDown();
    }

    _render(message) {
      var t = this.t, self = this;
      var from = message.from === "user" ? "user" : "bot";
      var text = typeof message.text === "string" ? message.text : "";
      var referat = message.custom && message.custom.type === "referat" && typeof message.custom.text === "string" ? message.custom : null;
      var buttons = Array.isArray(message.buttons) ? message.buttons.filter(function (b) { return b && typeof b.payload === "string"; }) : [];
      if (text || referat) {
        var bubble = el("div", { "class": "msg " + from }, [el("span", { "class": "sr", text: (from === "user" ? t.you : t.bot) + " " })]);
        if (text) appendText(bubble, text, t.newTab);
        if (referat) {
          var block = el("div", { "class": "referat" });
          appendText(block, referat.text, t.newTab);
          var filename = safeFilename(referat.filename);
          var href = URL.createObjectURL(new Blob([referat.text], { type: "text/plain;charset=utf-8" }));
          var download = el("a", { "class": "download", href: href, download: filename, text: format(t.download, { file: filename }) });
          bubble.append(block, download);
        }
        this.log.append(bubble);
      }
      if (buttons.length) {
        var group = el("div", { "class": "choices", role: "group", "aria-label": t.choices });
        buttons.forEach(function (button, index) {
          var title = typeof button.title === "string" && button.title ? button.title : button.payload;
          var node = el("button", { "class": "choice" + (message.used === index ? " chosen" : ""), type: "button", text: title });
          node.disabled = message.used != null;
          node.addEventListener("click", function () { self._choose(message, index, group); });
          group.append(node);
        });
        this.log.append(group);
      }
    }

    _add(message) {
      this.state.messages.push(message);
      this._touch(false);
      this._save();
      this._render(message);
      this._scrollDown();
    }

    _addReplies(replies) {
      var self = this;
      replies.forEach(function (reply) {
        if (!reply || typeof reply !== "object") return;
        var message = { from: "bot", text: typeof reply.text === "string" ? reply.text : "" };
        if (Array.isArray(reply.buttons) && reply.buttons.length) {
          message.buttons = reply.buttons
            .filter(function (b) { return b && typeof b.payload === "string"; })
            .map(function (b) { return { title: String(b.title || ""), payload: b.payload }; });
        }
        var custom = reply.custom;
        if (custom && custom.type === "referat" && typeof custom.text === "string") {
          message.custom = { type: "referat", filename: String(custom.filename || ""), text: custom.text };
        }
        if (message.text || message.buttons || message.custom) self._add(message);
      });
    }

    _choose(message, index, group) {
      if (this.busy || message.used != null) return;
      var button = message.buttons[index];
      message.used = index;
      Array.prototype.forEach.call(group.querySelectorAll("button"), function (node, i) {
        node.disabled = true;
        if (i === index) node.classList.add("chosen");
      });
      this._save();
      this.send(button.payload, button.title || button.payload);
      this.input.focus();
    }

    _typing(on) {
      this.status.replaceChildren();
      if (on) {
        this.status.append(el("div", { "class": "typing" }, [el("i", { "aria-hidden": "true" }), el("i", { "aria-hidden": "true" }),
          el("i", { "aria-hidden": "true" }), el("span", { "class": "sr", text: this.t.typing })]));
        this._scrollDown();
      }
    }

    _announce(text) {
      this.status.replaceChildren(el("span", { "class": "sr", text: text }));
    }

    _showError(text) {
      this.errorText.textContent = text;
      this.errorBox.hidden = false;
      this._scrollDown();
    }

    _hideError() {
      this.errorBox.hidden = true;
    }

    // ---------------------------------------------------------------------------------------------- talking to the server

    async _post(path, body) {
      var controller = window.AbortController ? new AbortController() : null;
      var timer = controller ? setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
      try {
        var response = await fetch(this.server + path, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body || {}),
          credentials: "omit",
          mode: "cors",
          cache: "no-store",
          signal: controller ? controller.signal : undefined
        });
        var data = null;
        try { data = await response.json(); } catch (e) { data = null; }
        return { status: response.status, ok: response.ok, data: data || {} };
      } finally {
        if (timer) clearTimeout(timer);
      }
    }

    async _session() {
      if (this.state.session) return this.state.session;
      var result = await this._post("/api/session", {});
      if (!result.ok || typeof result.data.session !== "string") {
        var error = new Error("no session");
        error.serverMessage = result.data.message;
        throw error;
      }
      this.state.session = result.data.session;
      this._save();
      return this.state.session;
    }

    /** POST with the session; a rejected (expired) session is replaced once. */
    async _call(path, extra) {
      var session = await this._session();
      var body = Object.assign({ session: session, language: this.language }, extra);
      if (this.audience) body.audience = this.audience;
      var result = await this._post(path, body);
      if (result.status === 401) {
        this.state.session = null;
        body.session = await this._session();
        result = await this._post(path, body);
      }
      return result;
    }

    async _run(action) {
      this.busy = true;
      this.lastAction = action;
      this._hideError();
      this._typing(true);
      try {
        var result = await this._call(action.path, action.body);
        this._typing(false);
        if (result.ok && Array.isArray(result.data.replies)) {
          this.lastAction = null;
          this._addReplies(result.data.replies);
        } else {
          this._showError(typeof result.data.message === "string" && result.data.message ? result.data.message : this.t.unavailable);
        }
      } catch (error) {
        this._typing(false);
        this._showError(error && error.serverMessage ? error.serverMessage : this.t.network);
      } finally {
        this.busy = false;
      }
    }

    /** Send `payload` to the bot, showing `shown` (default: the payload) as the user's message. */
    send(payload, shown) {
      if (this.busy) return Promise.resolve();
      this._checkIdle();
      this._add({ from: "user", text: shown || payload });
      return this._run({ path: "/api/chat", body: { message: payload } });
    }

    submit() {
      var text = this.input.value.trim();
      if (!text || this.busy) return;
      this.input.value = "";
      this._grow();
      this.send(text);
    }

    retry() {
      if (this.busy || !this.lastAction) return;
      this.input.focus();
      this._run(this.lastAction);
    }

    /** "Ny samtale": with something on the server, first offer to delete it there. */
    newConversation() {
      if (this.busy) return;
      if (this._checkIdle()) return;
      if (this.state.session) {
        this._showOffer("new");
        return;
      }
      this._startNew();
    }

    _startNew() {
      this.state = { session: null, messages: [], lastActive: Date.now(), expiredSession: this.state.expiredSession };
      this.lastAction = null;
      this._hideError();
      this._save();
      this._renderAll();
      this._armIdleTimer();
      this._announce(this.t.newStarted);
      this.input.focus();
    }

    deleteConversation() {
      if (this.busy) return;
      var hadSession = !!this.state.session;
      this.state.messages = [];
      this._hideError();
      this._save();
      this._renderAll();
      this.input.focus();
      if (!hadSession) {
        this._announce(this.t.deleted);
        return;
      }
      this._run({ path: "/api/session/delete", body: {} });
    }
  }

  window.customElements.define(TAG, TryggHavnChat);

  function mount() {
    if (document.querySelector(TAG)) return;
    document.body.appendChild(document.createElement(TAG));
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
