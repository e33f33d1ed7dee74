/* Passkeys (WebAuthn) for clinician sign-in and set-up. WebAuthn works only from script, so
   this file exists; the code-based sign-in works without it. Shown only where the browser
   supports passkeys. */
(function () {
  "use strict";
  var box = document.querySelector("[data-passkey]");
  if (!box || !window.PublicKeyCredential || !window.fetch || !navigator.credentials) {
    return;
  }
  var mode = box.getAttribute("data-passkey");
  var errorBox = box.querySelector("[data-passkey-error]");
  var button = box.querySelector("[data-passkey-start]");

  function fromB64url(value) {
    var b64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }

  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": box.getAttribute("data-csrf")},
      body: JSON.stringify(body || {})
    }).then(function (resp) {
      return resp.json().then(function (data) { return {ok: resp.ok, data: data}; });
    });
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    button.disabled = false;
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      return {type: c.type, id: fromB64url(c.id), transports: c.transports};
    });
  }

  function creationOptions(o) {
    o.challenge = fromB64url(o.challenge);
    o.user.id = fromB64url(o.user.id);
    o.excludeCredentials = descriptors(o.excludeCredentials);
    return {publicKey: o};
  }

  function requestOptions(o) {
    o.challenge = fromB64url(o.challenge);
    o.allowCredentials = descriptors(o.allowCredentials);
    return {publicKey: o};
  }

  function encode(cred) {
    var r = cred.response;
    var response = {clientDataJSON: toB64url(r.clientDataJSON)};
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toB64url(r.authenticatorData);
      response.signature = toB64url(r.signature);
      if (r.userHandle) { response.userHandle = toB64url(r.userHandle); }
    }
    return {id: cred.id, rawId: toB64url(cred.rawId), type: cred.type, response: response,
            clientExtensionResults: cred.getClientExtensionResults(),
            authenticatorAttachment: cred.authenticatorAttachment || undefined};
  }

  function run() {
    button.disabled = true;
    errorBox.hidden = true;
    post(box.getAttribute("data-options-url")).then(function (res) {
      if (!res.ok) { throw new Error(res.data.error || "failed"); }
      return mode === "register"
        ? navigator.credentials.create(creationOptions(res.data))
        : navigator.credentials.get(requestOptions(res.data));
    }).then(function (cred) {
      return post(box.getAttribute("data-verify-url"), encode(cred));
    }).then(function (res) {
      if (res.data.redirect) { window.location.assign(res.data.redirect); return; }
      showError(res.data.error || "That passkey did not work. Try again.");
    }).catch(function () {
      showError("The passkey was not used. Try again, or use a code instead.");
    });
  }

  box.hidden = false;
  button.addEventListener("click", run);
})();
