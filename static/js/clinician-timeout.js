/* Warn a signed-in clinician 2 minutes before the session ends, and let them stay signed in.
   The server enforces the limits; this only tells people in time (WCAG 2.2.1). */
(function () {
  "use strict";
  var dialog = document.getElementById("timeout-dialog");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) {
    return;
  }
  var data = dialog.dataset;
  var warnMs = Number(data.warnSeconds) * 1000;
  var countdown = dialog.querySelector("[data-countdown]");
  var stay = dialog.querySelector("[data-stay]");
  var fixedLimit = dialog.querySelector("[data-fixed-limit]");
  var deadline = 0;
  var timers = [];

  function clearTimers() {
    timers.forEach(function (t) { clearTimeout(t); clearInterval(t); });
    timers = [];
  }

  function updateCountdown() {
    var minutes = Math.max(1, Math.ceil((deadline - Date.now()) / 60000));
    countdown.textContent = minutes + (minutes === 1 ? " minute" : " minutes");
  }

  function warn() {
    updateCountdown();
    if (!dialog.open) {
      dialog.showModal();
      stay.focus();
    }
    timers.push(setInterval(updateCountdown, 15000));
  }

  function signedOut() {
    window.location.assign(data.signedOutUrl);
  }

  function schedule(expiresIn, renewable) {
    clearTimers();
    var ms = Math.max(0, Number(expiresIn) * 1000);
    deadline = Date.now() + ms;
    stay.hidden = !renewable;
    fixedLimit.hidden = renewable;
    timers.push(setTimeout(warn, Math.max(0, ms - warnMs)));
    // A little after the server's limit, so the sign-in page can say why.
    timers.push(setTimeout(signedOut, ms + 3000));
  }

  stay.addEventListener("click", function () {
    fetch(data.keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": data.csrfToken, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("session ended"); }
      return response.json();
    }).then(function (timing) {
      dialog.close();
      schedule(timing.expires_in, timing.renewable);
    }).catch(signedOut);
  });

  dialog.addEventListener("cancel", function (event) {
    // Escape closes the dialog; treat that as "stay signed in".
    event.preventDefault();
    if (stay.hidden) { dialog.close(); } else { stay.click(); }
  });

  schedule(data.expiresIn, data.renewable === "true");
}());
