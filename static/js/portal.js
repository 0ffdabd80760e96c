// Small behaviours shared by every page. No framework: Bootstrap + htmx.
(function () {
  "use strict";
  // Live countdowns: <span data-countdown="2024-06-10T23:59:59+07:00">…</span>
  function plural(n, unit) { return n + " " + unit; }
  function renderCountdown(el) {
    var end = new Date(el.getAttribute("data-countdown"));
    var ms = end - new Date();
    if (isNaN(ms)) { return; }
    if (ms <= 0) { el.textContent = el.getAttribute("data-expired") || "Đã hết hạn"; el.classList.add("deadline-soon"); return; }
    var days = Math.floor(ms / 86400000), hours = Math.floor(ms % 86400000 / 3600000), minutes = Math.floor(ms % 3600000 / 60000);
    var text = days > 0 ? plural(days, "ngày") + " " + plural(hours, "giờ") : plural(hours, "giờ") + " " + plural(minutes, "phút");
    el.textContent = "Còn " + text;
    el.classList.toggle("deadline-soon", ms < 3 * 86400000);
  }
  function tick() { document.querySelectorAll("[data-countdown]").forEach(renderCountdown); }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 30000); });
  // Confirm dangerous actions: <button data-confirm="…">
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
  // "Tick all" boxes: <input type="checkbox" data-check-all="ids"> ticks every enabled box named "ids" in its form.
  document.addEventListener("change", function (event) {
    var box = event.target.closest("[data-check-all]");
    if (!box) { return; }
    var scope = box.form || document;
    scope.querySelectorAll('input[type="checkbox"][name="' + box.getAttribute("data-check-all") + '"]').forEach(function (other) {
      if (!other.disabled) { other.checked = box.checked; }
    });
  });
})();
