/* Social Optimizer page: upload once, pick platforms and formats, set a focal point, download;
   the renditions grid fills in as the job (jobs.js) makes them. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const { el } = S;
  const form = document.getElementById("social-form");
  if (!form) { return; }
  const f = form.elements;
  const $ = (id) => document.getElementById(id);
  const errorBox = $("social-error");
  const state = { image: null, focal: null, lastRequest: null };
  const showError = (message) => S.showError(errorBox, message);
  const kilobytes = (n) => (n / 1024).toFixed(n < 10240 ? 1 : 0) + " KB";

  /* ---- upload and focal point --------------------------------------------------------- */
  const zone = $("social-dropzone");
  zone.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("social-file").click(); } });
  zone.addEventListener("drop", (e) => {
    const file = e.dataTransfer.files[0];
    if (file && !file.type.startsWith("image/")) { showError(file.name + " is not an image"); }
  });
  const take = (file, dataUrl, assetId) => {
    const preview = $("source-preview");
    preview.onload = () => {
      $("upload-info").textContent = file.name + " · " + preview.naturalWidth + "×" + preview.naturalHeight + " px · " + kilobytes(file.size);
    };
    preview.onerror = () => showError(file.name + " could not be read as an image");
    preview.src = dataUrl;
    state.image = { dataUrl, assetId: assetId || null };
    setFocal(null);
    $("source-block").classList.remove("hidden");
    showError("");
  };
  S.dropzone(zone, $("social-file"), (file, dataUrl) => take(file, dataUrl));
  if (S.startingAsset()) {
    S.loadAsset(S.startingAsset()).then((asset) => take(asset.file, asset.dataUrl, asset.assetId),
                                        (error) => showError(error.message));
  }

  function setFocal(point) {
    state.focal = point;
    const marker = $("focal-marker");
    marker.classList.toggle("hidden", !point);
    $("focal-clear").classList.toggle("hidden", !point);
    if (point) {
      marker.style.left = (point.x * 100) + "%";
      marker.style.top = (point.y * 100) + "%";
      const note = f.crop_mode.value === "smart" ? "" : " (used by the smart crop only)";
      $("focal-info").textContent = "Focal point at " + Math.round(point.x * 100) + "%, " + Math.round(point.y * 100) + "%" + note;
    } else {
      $("focal-info").textContent = "Click the image to set a focal point for the smart crop.";
    }
  }

  $("source-preview").addEventListener("click", (event) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const clamp = (v) => Math.min(1, Math.max(0, Math.round(v * 1000) / 1000));
    setFocal({ x: clamp((event.clientX - rect.left) / rect.width), y: clamp((event.clientY - rect.top) / rect.height) });
  });
  $("focal-clear").addEventListener("click", () => setFocal(null));

  /* ---- platforms and their formats ---------------------------------------------------- */
  async function loadFormats(platform, box) {
    if (box.dataset.loaded) { return; }
    const body = await S.api(S.url(form.dataset.formatsUrl, { platform }));
    box.replaceChildren(...body.formats.map((fmt, index) => {
      const label = el("label", { class: "check" });
      const input = el("input", { type: "checkbox", name: "format", value: fmt.name });
      input.checked = index === 0;
      label.append(input, " " + fmt.name + " ", el("small", { class: "muted" }, fmt.width + "×" + fmt.height));
      return label;
    }));
    box.dataset.loaded = "1";
  }

  form.querySelectorAll("input[name=platforms]").forEach((input) => {
    input.addEventListener("change", async () => {
      const box = form.querySelector('[data-formats-for="' + input.value + '"]');
      box.classList.toggle("hidden", !input.checked || f.all_formats.checked);
      if (input.checked) {
        try { await loadFormats(input.value, box); } catch (err) { showError(err.message); }
      }
    });
  });
  f.all_formats.addEventListener("change", () => {
    form.querySelectorAll("input[name=platforms]").forEach((input) => {
      form.querySelector('[data-formats-for="' + input.value + '"]').classList.toggle("hidden", !input.checked || f.all_formats.checked);
    });
  });

  /* ---- crop options ------------------------------------------------------------------- */
  const syncCrop = () => {
    $("background-field").classList.toggle("hidden", f.crop_mode.value !== "fit");
    f.background_colour.classList.toggle("hidden", f.background_kind.value !== "colour");
    setFocal(state.focal);
  };
  f.crop_mode.addEventListener("change", syncCrop);
  f.background_kind.addEventListener("change", syncCrop);

  /* ---- brand overlay: its options show once a brand kit is chosen ------------------------ */
  const syncBrand = () => {
    if (!f.brand_persona) { return; }
    form.querySelectorAll('[data-field="brand"]').forEach((node) => node.classList.toggle("hidden", !f.brand_persona.value));
    form.querySelector("[data-brand-size]").textContent = f.brand_size.value + "%";
  };
  if (f.brand_persona) {
    f.brand_persona.addEventListener("change", syncBrand);
    f.brand_size.addEventListener("input", syncBrand);
    syncBrand();
  }

  function requestBody() {
    const platforms = Array.from(form.querySelectorAll("input[name=platforms]:checked")).map((i) => i.value);
    const formatNames = {};
    platforms.forEach((p) => {
      const names = Array.from(form.querySelectorAll('[data-formats-for="' + p + '"] input:checked')).map((i) => i.value);
      if (names.length) { formatNames[p] = names; }
    });
    const body = { ...S.imageInput("image", state.image), platforms, format_names: formatNames,
                   all_formats: f.all_formats.checked, crop_mode: f.crop_mode.value,
                   show_safe_zones: f.show_safe_zones.checked, output_format: f.output_format.value };
    if (state.focal) { body.focal_point = state.focal; }
    if (f.brand_persona && f.brand_persona.value) {
      body.brand_overlay = { persona_id: f.brand_persona.value, position: f.brand_position.value,
                             size: Number(f.brand_size.value) / 100,
                             headline: f.brand_headline.value.trim() || null, cta: f.brand_cta.value.trim() || null };
    }
    if (f.crop_mode.value === "fit") {
      body.background = f.background_kind.value === "colour" ? f.background_colour.value : f.background_kind.value;
    }
    return body;
  }

  /* ---- results ------------------------------------------------------------------------ */
  /** A rendition as the job stores it, shown while the others are still being made. */
  function itemCard(item) {
    const card = el("article", { class: "card result pending" });
    if (item.error) {
      card.append(el("h3", {}, "Rendition " + (item.slot + 1)), el("p", { class: "alert error" }, item.error));
      return card;
    }
    const title = item.file_name.replace(/\.[a-z0-9]+$/i, "").replace(/_/g, " ");
    card.append(
      el("h3", {}, title),
      el("img", { src: item.url, alt: title, width: item.width, height: item.height }),
      el("p", { class: "size" }, item.width + "×" + item.height + " px" +
        (item.size_bytes ? " · " + kilobytes(item.size_bytes) : "")),
      el("a", { class: "button download", href: item.url, download: S.downloadName(item) }, "Download"));
    return card;
  }

  function renderProgress(doc) {
    S.showItems($("results"), doc, itemCard);
    $("results-summary").textContent = doc.progress.done + " of " + doc.progress.total + " renditions done";
    $("download-all").classList.add("hidden");
  }

  function renderResults(body) {
    const grid = $("results");
    grid.replaceChildren(...body.results.map((r) => {
      const card = el("article", { class: "card result", "data-platform": r.platform, "data-format": r.format });
      card.append(
        el("h3", {}, r.platform + " · " + r.format),
        el("img", { src: r.image_base64, alt: r.platform + " " + r.format, width: r.width, height: r.height }),
        el("p", { class: "size" }, r.width + "×" + r.height + " px · " + kilobytes(r.size_bytes) + " · " + r.ratio));
      r.notes.forEach((note) => card.append(el("p", { class: "muted note" }, note)));
      card.append(el("a", { class: "button download", href: r.image_base64, download: S.downloadName(r) }, "Download"));
      return card;
    }));
    const skipped = body.skipped && body.skipped.length ? " · skipped (no formats): " + body.skipped.join(", ") : "";
    $("results-summary").textContent = body.total_optimized + " image" + (body.total_optimized === 1 ? "" : "s") + skipped;
    $("download-all").classList.toggle("hidden", body.total_optimized === 0);
  }

  S.submitJob(form, { key: "social", noun: "renditions", onProgress: renderProgress,
    prepare: () => {
      if (!state.image) { throw new Error("Please upload an image first."); }
      const body = requestBody();
      if (!body.platforms.length) { throw new Error("Please tick at least one platform."); }
      // Kept with the job (when small enough) so "Download all" still works after a reload.
      return { href: form.dataset.optimizeUrl, body, context: { request: body } };
    },
    render: (result, context) => {
      state.lastRequest = context && context.request;
      renderResults(result);
      if (!state.lastRequest) { $("download-all").classList.add("hidden"); }
    } });

  const downloadAll = $("download-all");
  S.handle(downloadAll, "click", async () => {
    S.download(await S.api(form.dataset.zipUrl, { method: "POST", json: state.lastRequest }));
  }, { button: downloadAll, progress: $("social-progress"), error: errorBox });
})();
