{% autoescape off %}/* LeadCRM first-party website tracking. Paste next to a Web-to-Lead form:
   <script src=".../t/track.js" async></script>
   Sends page views to this CRM only. Keeps one random visitor id in localStorage (no cookie),
   and sends nothing when the browser asks not to be tracked (Do Not Track, Global Privacy Control). */
(function () {
  "use strict";
  var enabled = {{ enabled|yesno:"true,false" }};
  var endpoint = "{{ endpoint|escapejs }}";
  var KEY = "lcrm_vid";
  var nav = window.navigator || {};
  if (!enabled) { return; }
  if (nav.doNotTrack === "1" || nav.doNotTrack === "yes" || window.doNotTrack === "1" ||
      nav.msDoNotTrack === "1" || nav.globalPrivacyControl === true) {
    return;
  }
  var vid = "";
  try {
    vid = window.localStorage.getItem(KEY) || "";
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(vid)) {
      vid = (window.crypto && window.crypto.randomUUID)
        ? window.crypto.randomUUID().replace(/-/g, "")
        : (Date.now().toString(36) + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2));
      vid = vid.slice(0, 64);
      window.localStorage.setItem(KEY, vid);
    }
  } catch (e) {
    return; // no storage: no visitor id, no tracking
  }

  function fillForms() {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      var action = form.getAttribute("action") || "";
      var field = form.querySelector('input[name="' + KEY + '"]');
      if (!field && (action.indexOf("/web-to-lead/") !== -1 || action.indexOf("servlet.WebToLead") !== -1)) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = KEY;
        form.appendChild(field);
      }
      if (field) { field.value = vid; }
    }
  }

  function utm() {
    var found = {};
    try {
      var params = new URLSearchParams(window.location.search);
      ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"].forEach(function (name) {
        var value = params.get(name);
        if (value) { found[name] = value.slice(0, 255); }
      });
    } catch (e) { /* an old browser: no UTM parameters */ }
    return found;
  }

  function send() {
    var body = JSON.stringify({
      type: "page_view",
      vid: vid,
      url: String(window.location.href).slice(0, 2000),
      title: String(document.title || "").slice(0, 500),
      referrer: String(document.referrer || "").slice(0, 2000),
      utm: utm()
    });
    try {
      if (window.fetch) {
        window.fetch(endpoint, {
          method: "POST", body: body, keepalive: true, mode: "no-cors", credentials: "omit",
          headers: {"Content-Type": "text/plain"}
        }).catch(function () {});
      } else if (nav.sendBeacon) {
        nav.sendBeacon(endpoint, body);
      }
    } catch (e) { /* tracking never breaks the page */ }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { fillForms(); send(); });
  } else {
    fillForms();
    send();
  }
})();
{% endautoescape %}
