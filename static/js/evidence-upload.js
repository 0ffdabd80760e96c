// Evidence form: drag and drop, the list of chosen files, and an upload progress bar.
// Without JavaScript the same form posts normally; this only improves it.
(function () {
  "use strict";
  function formatSize(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1).replace(".", ",") + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }
  function setup(form) {
    var zone = form.querySelector("[data-drop-zone]");
    var list = form.querySelector("[data-selected-files]");
    var progress = form.querySelector("[data-progress]");
    var bar = progress ? progress.querySelector(".progress-bar") : null;
    var inputs = form.querySelectorAll("input[type=file][name=files]");
    var main = inputs[0];
    var pressed = null;

    function showSelected() {
      if (!list) { return; }
      var names = [];
      inputs.forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (f) { names.push(f.name + " (" + formatSize(f.size) + ")"); });
      });
      list.textContent = names.length ? "Đã chọn: " + names.join("; ") : "";
    }
    inputs.forEach(function (input) { input.addEventListener("change", showSelected); });

    if (zone && main) {
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("border-primary"); });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("border-primary"); });
      });
      zone.addEventListener("drop", function (e) {
        if (e.dataTransfer && e.dataTransfer.files.length) {
          main.files = e.dataTransfer.files;
          showSelected();
        }
      });
    }

    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.addEventListener("click", function () { pressed = button; });
    });

    form.addEventListener("submit", function (e) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      e.preventDefault();
      var data = new FormData(form);
      if (pressed && pressed.name) { data.append(pressed.name, pressed.value); }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      if (progress && bar) {
        progress.classList.remove("d-none");
        xhr.upload.addEventListener("progress", function (ev) {
          if (!ev.lengthComputable) { return; }
          var pct = Math.round(ev.loaded * 100 / ev.total);
          bar.style.width = pct + "%";
          bar.textContent = pct + "% · " + formatSize(ev.loaded) + " / " + formatSize(ev.total);
        });
      }
      xhr.addEventListener("load", function () {
        var type = xhr.getResponseHeader("Content-Type") || "";
        if (type.indexOf("application/json") === 0) {
          var body = JSON.parse(xhr.responseText);
          if (body.redirect) { window.location.assign(body.redirect); return; }
        }
        // A refused upload: show the page the server rendered, with its messages.
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
        if (progress) { progress.classList.add("d-none"); }
        window.alert("Không gửi được: mất kết nối. Kiểm tra mạng rồi thử lại.");
      });
      xhr.send(data);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-evidence-upload]").forEach(setup);
  });
})();
