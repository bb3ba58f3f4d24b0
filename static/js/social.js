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
  const state = { image: null, focal: null, lastRequest: null, focalPoints: {} };
  const showError = (message) => S.showError(errorBox, message);
  const kilobytes = (n) => (n / 1024).toFixed(n < 10240 ? 1 : 0) + " KB";
  const PHOTO_COLOURS = 400;
  /** A platform as people write it (LinkedIn, YouTube), from the page's own list. */
  const platformName = (key) => {
    const node = document.querySelector('.platform[data-platform="' + key + '"]');
    return node ? node.dataset.name : key;
  };   // distinct 15-bit colours in 64×64 px: photographs have far more

  /* ---- upload (inputs.js) and focal point ------------------------------------------------ */
  const take = (image) => {
    $("source-preview").src = image.previewUrl;
    state.image = image;
    state.focalPoints = {};
    pickFormat(image.previewUrl);
    setFocal(null);
    $("source-block").classList.remove("hidden");
    showError("");
  };
  S.upload(form, "image", take, { onClear: () => {
    state.image = null;
    state.focalPoints = {};
    $("source-block").classList.add("hidden");
  } });

  /* ---- output format: JPEG for a photograph, PNG for a graphic or transparency ---------- */
  f.output_format.addEventListener("change", () => { state.formatChosen = true; $("format-choice").textContent = ""; });

  /** Look at a 64×64 copy: any transparency, or few colours (a graphic), keeps PNG; else JPEG.
      The API's default stays PNG; only the page chooses, and says what it chose. */
  function pickFormat(dataUrl) {
    if (state.formatChosen) { return; }
    const image = new Image();
    image.onload = () => {
      const canvas = el("canvas", { width: 64, height: 64 });
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(image, 0, 0, 64, 64);
      const pixels = context.getImageData(0, 0, 64, 64).data;
      const colours = new Set();
      let transparent = false;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] < 250) { transparent = true; }
        colours.add((pixels[i] >> 3) << 10 | (pixels[i + 1] >> 3) << 5 | (pixels[i + 2] >> 3));
      }
      const photo = !transparent && colours.size > PHOTO_COLOURS;
      f.output_format.value = photo ? "jpg" : "png";
      $("format-choice").textContent = photo ? "JPG chosen: a photograph without transparency (smaller files)."
        : transparent ? "PNG chosen: the image has transparency." : "PNG chosen: a graphic with few colours.";
    };
    image.src = dataUrl;
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
  form.querySelectorAll("input[name=platforms]").forEach((input) => {
    input.addEventListener("change", () => {
      const box = form.querySelector('[data-formats-for="' + input.value + '"]');
      box.classList.toggle("hidden", !input.checked || f.all_formats.checked);
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
                   show_safe_zones: false, output_format: f.output_format.value };  // zones: drawn on screen only
    if (state.focal) { body.focal_point = state.focal; }
    // Only the moved formats this run makes: the API refuses a key for a format not asked for.
    const made = (key) => {
      const [platform, format] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1)];
      return platforms.includes(platform) && (f.all_formats.checked
        || (formatNames[platform] || []).some((name) => name.toLowerCase() === format.toLowerCase()));
    };
    const kept = Object.entries(state.focalPoints).filter(([key]) => made(key));
    if (kept.length) { body.focal_points = Object.fromEntries(kept); }
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
  /** The rendition with its safe zone drawn over it on screen (the file itself stays clean). */
  function previewWithZones(r) {
    const wrap = el("div", { class: "preview-wrap" });
    const zone = el("div", { class: "safe-zone", "aria-hidden": "true" });
    const inset = r.safe_zone || {};
    zone.style.top = (100 * (inset.top || 0)) + "%";
    zone.style.bottom = (100 * (inset.bottom || 0)) + "%";
    zone.style.left = (100 * (inset.left || 0)) + "%";
    zone.style.right = (100 * (inset.right || 0)) + "%";
    wrap.append(el("img", { src: r.image_base64, alt: r.platform + " " + r.format, width: r.width, height: r.height,
                            "data-zoom": "", "data-file-name": S.downloadName(r) }), zone);
    return wrap;
  }
  const syncZones = () => $("results").classList.toggle("show-zones", f.show_safe_zones.checked);
  f.show_safe_zones.addEventListener("change", syncZones);

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

  /** One rendition's card: the preview, its crop window on the source (drag to nudge), notes
      and the download. Built again in place when the window is moved. */
  function resultCard(r) {
    const card = el("article", { class: "card result", "data-platform": r.platform, "data-format": r.format });
    card.append(
      el("h3", {}, platformName(r.platform) + " · " + r.format),
      previewWithZones(r),
      el("p", { class: "size" }, r.width + "×" + r.height + " px · " + kilobytes(r.size_bytes) + " · " + r.ratio));
    if (r.crop_box && f.crop_mode.value !== "fit") { card.append(cropReview(r, card)); }
    r.notes.forEach((note) => card.append(el("p", { class: note.startsWith("Enlarged") ? "alert warning note" : "muted note" }, note)));
    if (r.notes.some((note) => note.startsWith("Enlarged"))) { card.classList.add("enlarged"); }
    card.append(el("a", { class: "button download", href: r.image_base64, download: S.downloadName(r) }, "Download"));
    return card;
  }

  /* ---- per-format crop review: the window on the source, moved by pointer, touch or keys ---- */
  const REVIEW_SHORT_SIDE = 120;   // px: a 8000×500 banner still gets a window you can grab
  const REVIEW_LONG_SIDE = 300;

  /** Size of the source thumbnail: fits the card, but its short side never under 120 px
      (the frame scrolls instead), so very wide or tall uploads stay usable. */
  function reviewSize(ratio) {
    if (ratio >= 1) {
      const height = Math.max(REVIEW_LONG_SIDE / ratio, REVIEW_SHORT_SIDE);
      return { width: height * ratio, height };
    }
    const width = Math.max(REVIEW_LONG_SIDE * ratio, REVIEW_SHORT_SIDE);
    return { width, height: width / ratio };
  }

  function cropReview(r, card) {
    const preview = $("source-preview");
    const ratio = preview.naturalWidth / preview.naturalHeight || 1;
    const size = reviewSize(ratio);
    const frame = el("div", { class: "crop-review" });
    const stage = el("div", { class: "crop-stage" });
    stage.style.width = size.width + "px";
    stage.style.height = size.height + "px";
    const label = "Crop of " + platformName(r.platform) + " " + r.format + " on the upload: drag, or use the arrow keys, to move it";
    const box = el("div", { class: "crop-window", tabindex: "0", role: "slider", "aria-label": label });
    const crop = { ...r.crop_box };
    const alongX = crop.width < 0.999;
    box.setAttribute("aria-orientation", alongX ? "horizontal" : "vertical");
    const place = () => {
      box.style.left = (crop.x * 100) + "%";
      box.style.top = (crop.y * 100) + "%";
      box.style.width = (crop.width * 100) + "%";
      box.style.height = (crop.height * 100) + "%";
      const along = alongX ? crop.x / Math.max(1e-6, 1 - crop.width) : crop.y / Math.max(1e-6, 1 - crop.height);
      box.setAttribute("aria-valuenow", String(Math.round((Number.isFinite(along) ? along : 0.5) * 100)));
    };
    box.setAttribute("aria-valuemin", "0");
    box.setAttribute("aria-valuemax", "100");
    const move = (dx, dy) => {
      crop.x = Math.min(1 - crop.width, Math.max(0, crop.x + dx));
      crop.y = Math.min(1 - crop.height, Math.max(0, crop.y + dy));
      place();
    };
    stage.append(el("img", { src: preview.src, alt: "", draggable: "false" }), box);
    frame.append(stage);
    place();
    requestAnimationFrame(() => {   // keep the window in view when the frame scrolls
      frame.scrollLeft = crop.x * size.width - (frame.clientWidth - crop.width * size.width) / 2;
      frame.scrollTop = crop.y * size.height - (frame.clientHeight - crop.height * size.height) / 2;
    });

    let drag = null;
    box.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, y: event.clientY, from: { ...crop } };
      box.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    box.addEventListener("pointermove", (event) => {
      if (!drag) { return; }
      crop.x = drag.from.x; crop.y = drag.from.y;
      move((event.clientX - drag.x) / size.width, (event.clientY - drag.y) / size.height);
    });
    const drop = () => { if (drag) { drag = null; recrop(r, crop, card); } };
    box.addEventListener("pointerup", drop);
    box.addEventListener("pointercancel", drop);
    let timer = null;
    box.addEventListener("keydown", (event) => {
      const step = event.shiftKey ? 0.1 : 0.02;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (!moves[event.key]) { return; }
      event.preventDefault();
      move(...moves[event.key]);
      clearTimeout(timer);
      timer = setTimeout(() => recrop(r, crop, card), 400);   // one request per pause, not per key
    });
    const hint = el("p", { class: "muted crop-hint" }, "Drag the frame (or focus it and use the arrow keys) to choose what this format shows.");
    const wrap = el("div", { class: "crop-review-wrap" });
    wrap.append(frame, hint);
    return wrap;
  }

  /** Render one format again around its moved window, and replace its card. The focal point
      is kept for this format, so "Download all" and later runs use it too. */
  async function recrop(r, crop, card) {
    const point = { x: Math.round((crop.x + crop.width / 2) * 1000) / 1000, y: Math.round((crop.y + crop.height / 2) * 1000) / 1000 };
    state.focalPoints[r.focal_key] = point;
    if (state.lastRequest) { state.lastRequest.focal_points = { ...(state.lastRequest.focal_points || {}), [r.focal_key]: point }; }
    const body = { ...requestBody(), platforms: [r.platform], format_names: { [r.platform]: [r.format] },
                   all_formats: false, focal_points: { [r.focal_key]: point } };
    card.classList.add("recropping");
    card.setAttribute("aria-busy", "true");
    try {
      const response = await S.api(form.dataset.optimizeUrl, { method: "POST", json: body });
      const fresh = resultCard(response.results[0]);
      const focused = card.contains(document.activeElement);   // keys keep working on the new card
      card.replaceWith(fresh);
      const handle = fresh.querySelector(".crop-window");
      if (handle && focused) { handle.focus(); }
    } catch (error) {
      card.classList.remove("recropping");
      card.removeAttribute("aria-busy");
      showError(error.message);
    }
  }

  function renderResults(body) {
    const grid = $("results");
    grid.replaceChildren(...body.results.map(resultCard));
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
