/* Shared browser helpers for the studio pages (no framework, no build step). */
(function () {
  "use strict";
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  /** POST/GET JSON to the API with the session cookie and CSRF header; throws Error(detail). */
  async function api(url, options) {
    const opts = Object.assign({ method: "GET", headers: {} }, options || {});
    opts.headers = Object.assign({ "X-CSRFToken": csrf(), "Accept": "application/json" }, opts.headers);
    if (opts.json !== undefined) {
      opts.body = JSON.stringify(opts.json);
      opts.headers["Content-Type"] = "application/json";
      delete opts.json;
    }
    const response = await fetch(url, opts);
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      let detail = response.status + " " + response.statusText;
      if (type.includes("json")) { detail = (await response.json()).detail || detail; }
      throw new Error(detail);
    }
    if (response.status === 204) { return null; }
    return type.includes("json") ? response.json() : response.blob();
  }

  /** Read a File as a data URL. */
  function readFile(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(new Error("Could not read " + file.name));
      reader.readAsDataURL(file);
    });
  }

  /** Wire a drop zone and file input; calls onFile(file, dataUrl). */
  function dropzone(zone, input, onFile) {
    const take = async (file) => {
      if (!file) { return; }
      if (!file.type.startsWith("image/")) { throw new Error(file.name + " is not an image"); }
      onFile(file, await readFile(file));
    };
    zone.addEventListener("click", () => input.click());
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); take(e.dataTransfer.files[0]); });
    input.addEventListener("change", () => take(input.files[0]));
  }

  /** Show or hide a progress element and disable a button while work runs. */
  async function busy(button, progress, work) {
    button.disabled = true;
    progress.classList.add("active");
    try { return await work(); } finally { button.disabled = false; progress.classList.remove("active"); }
  }

  /** Trigger a download of a data URL or blob. */
  function download(href, filename) {
    const a = document.createElement("a");
    a.href = typeof href === "string" ? href : URL.createObjectURL(href);
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  window.Studio = { api, readFile, dropzone, busy, download, csrf };
})();
