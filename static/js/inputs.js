/* ImageStudio.upload: an image input (templates/macros/studio.html upload) with four ways in: a
   file pick, a drop, a paste and a pick from the library. Each is checked here before anything is
   sent (an image by its bytes, within the limits the page renders, with an offer to shrink one
   that is too large), and kept per page and field in IndexedDB, so it survives navigating away. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const { el } = S;
  const MIB = 1024 * 1024;
  const NOT_AN_IMAGE = "This file is not an image we can read (PNG, JPEG, WebP, GIF, BMP, TIFF or AVIF).";
  const PER_PAGE = 12;

  const megabytes = (bytes) => (bytes / MIB).toFixed(1) + " MB";
  const sizeText = (bytes) => bytes < MIB ? Math.max(1, Math.round(bytes / 1024)) + " KB" : megabytes(bytes);

  /* ---- what a file holds: its first bytes, not its name or claimed type ------------------- */
  async function sniff(file) {
    const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
    const text = (from, to) => String.fromCharCode(...head.slice(from, to));
    if (head[0] === 0x89 && text(1, 4) === "PNG") { return "png"; }
    if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) { return "jpeg"; }
    if (text(0, 4) === "GIF8") { return "gif"; }
    if (text(0, 4) === "RIFF" && text(8, 12) === "WEBP") { return "webp"; }
    if (text(0, 2) === "BM") { return "bmp"; }
    if (text(4, 8) === "ftyp" && /^avi[fs]$/.test(text(8, 12))) { return "avif"; }
    if (text(0, 4) === "II*\0" || text(0, 4) === "MM\0*") { return "tiff"; }
    return null;
  }

  /** The file as {dataUrl, previewUrl, width, height, image} (S.loadImage); a TIFF, which browsers
      do not draw, is shown through the server's copy of it (S.drawable: a library asset by id). */
  async function decode(file, assetId) {
    const kind = await sniff(file);
    if (!kind) { throw new Error(NOT_AN_IMAGE); }
    const dataUrl = await S.readFile(file);
    if (kind === "tiff") {
      return S.drawable(assetId ? { image_asset_id: assetId } : { image_base64: dataUrl }, dataUrl);
    }
    return S.loadImage(dataUrl).catch(() => { throw new Error(NOT_AN_IMAGE); });
  }

  /** Whether a 64×64 copy has any pixel that is not opaque (a downscale averages it in). */
  function hasAlpha(image) {
    const canvas = el("canvas", { width: 64, height: 64 });
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(image, 0, 0, 64, 64);
    const pixels = context.getImageData(0, 0, 64, 64).data;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] < 255) { return true; } }
    return false;
  }

  /** Re-encode a file in the browser until it fits the limits: JPEG for a photo, PNG when it has
      transparency (which JPEG would lose); smaller each round by what the last one missed by. */
  async function shrink(file, limits) {
    const source = await decode(file);
    const alpha = (await sniff(file)) !== "jpeg" && hasAlpha(source.image);
    const type = alpha ? "image/png" : "image/jpeg";
    let scale = Math.min(1, Math.sqrt(limits.pixels / (source.width * source.height)),
                         limits.side / Math.max(source.width, source.height));
    for (let round = 0; round < 12; round += 1) {
      const canvas = el("canvas", { width: Math.max(1, Math.floor(source.width * scale)),
                                    height: Math.max(1, Math.floor(source.height * scale)) });
      canvas.getContext("2d").drawImage(source.image, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, type, 0.9));
      if (!blob) { break; }
      if (blob.size <= limits.bytes) {
        return new File([blob], file.name.replace(/\.[^.]*$/, "") + (alpha ? ".png" : ".jpg"), { type });
      }
      scale *= Math.min(0.9, 0.95 * Math.sqrt(limits.bytes / blob.size));
    }
    throw new Error("This image could not be made small enough here. Use a smaller one.");
  }

  /* ---- the remembered inputs: IndexedDB, a File's bytes or a library pick's asset id -------- */
  const remembered = (() => {
    let opened = null;
    const open = () => opened || (opened = new Promise((resolve, reject) => {
      const request = window.indexedDB.open(S.inputStore, 1);
      request.onupgradeneeded = () => request.result.createObjectStore("inputs");
      request.onsuccess = () => {
        request.result.onversionchange = () => { request.result.close(); opened = null; };   // signing out deletes it
        resolve(request.result);
      };
      request.onerror = () => reject(request.error);
    }));
    const run = (mode, work) => open().then((db) => new Promise((resolve, reject) => {
      const transaction = db.transaction("inputs", mode);
      const request = work(transaction.objectStore("inputs"));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
    })).catch(() => null);   // a browser without storage simply remembers nothing
    return {
      get: (key) => run("readonly", (store) => store.get(key)),
      put: (key, value) => run("readwrite", (store) => store.put(value, key)),
      forget: (key) => run("readwrite", (store) => store.delete(key)),
    };
  })();

  /* ---- the "Choose from Library" dialog, one per page, built on first use ------------------- */
  const library = (() => {
    const view = { dialog: null, query: "", page: 1, loads: 0, onPick: null, opener: null, timer: null };

    function build(assetsUrl) {
      const dialog = el("dialog", { class: "library-picker", "data-library": "", "aria-labelledby": "library-title" });
      const close = el("button", { type: "button", "data-library-close": "" }, "Close");
      const head = el("div", { class: "library-head" });
      head.append(el("h2", { id: "library-title" }, "Choose from your library"), close);
      const search = el("form", { class: "library-search", role: "search" });
      const label = el("label", {}, "Search by prompt ");
      const q = el("input", { type: "search", name: "q", maxlength: "200", "data-library-q": "" });
      label.append(q);
      search.append(label, el("button", { type: "submit" }, "Search"));
      const pager = el("div", { class: "library-pager" });
      const prev = el("button", { type: "button", "data-library-prev": "" }, "Previous");
      const next = el("button", { type: "button", "data-library-next": "" }, "Next");
      pager.append(prev, next);
      dialog.append(head, search,
                    el("p", { class: "muted", role: "status", "aria-live": "polite", "data-library-status": "" }),
                    el("div", { class: "library-grid", "data-library-grid": "" }), pager);
      const find = () => { view.query = q.value.trim(); view.page = 1; load(assetsUrl); };
      search.addEventListener("submit", (event) => { event.preventDefault(); find(); });
      q.addEventListener("input", () => { clearTimeout(view.timer); view.timer = setTimeout(find, 300); });
      prev.addEventListener("click", () => { view.page -= 1; load(assetsUrl); });
      next.addEventListener("click", () => { view.page += 1; load(assetsUrl); });
      close.addEventListener("click", () => dialog.close());
      dialog.addEventListener("close", () => { if (view.opener) { view.opener.focus(); } });
      document.body.appendChild(dialog);
      return dialog;
    }

    function item(asset) {
      const button = el("button", { type: "button", class: "library-item", "data-asset": asset.id });
      const src = document.querySelector('meta[name="asset-tile-url"]').content.replace("__asset_id__", asset.id);
      button.append(el("img", { src, alt: asset.prompt || asset.file_name, loading: "lazy" }),
                    el("span", {}, asset.width + "×" + asset.height + " · " + asset.studio));
      button.addEventListener("click", () => { view.dialog.close(); view.onPick(asset); });
      return button;
    }

    async function load(assetsUrl) {
      const ticket = ++view.loads;
      const part = (name) => view.dialog.querySelector("[data-library-" + name + "]");
      part("status").textContent = "Loading…";
      const params = new URLSearchParams({ page: view.page, per_page: PER_PAGE });
      if (view.query) { params.set("q", view.query); }
      try {
        const answer = await S.api(assetsUrl + "?" + params);
        if (ticket !== view.loads) { return; }
        part("grid").replaceChildren(...answer.assets.map(item));
        part("status").textContent = answer.total
          ? "Page " + answer.page + " of " + answer.pages + " · " + answer.total + " image" + (answer.total === 1 ? "" : "s") + ", newest first."
          : view.query ? "No image's prompt has those words." : "Your library is empty: images you make appear here.";
        part("prev").disabled = answer.page <= 1;
        part("next").disabled = answer.page >= answer.pages;
      } catch (err) {
        if (ticket === view.loads) { part("status").textContent = S.plainWords(err.message); }
      }
    }

    /** Show the dialog from `opener`; onPick(asset) gets the chosen asset (an assets API entry). */
    function open(opener, onPick) {
      view.dialog = view.dialog || build(opener.dataset.assetsUrl);
      Object.assign(view, { opener, onPick });
      view.dialog.showModal();
      load(opener.dataset.assetsUrl);
    }

    return { open };
  })();

  /* ---- a paste goes to the input holding the focus, else to the page's first ---------------- */
  const blocks = [];
  document.addEventListener("paste", (event) => {
    const file = event.clipboardData && event.clipboardData.files[0];
    if (!file || !blocks.length) { return; }
    event.preventDefault();
    (blocks.find((b) => b.block.contains(document.activeElement)) || blocks[0]).take(file);
  });

  /** Wire the [data-upload=name] block of `form`. onImage(value) gets each image that passes the
      checks; options.onClear runs when "Clear" empties the input. Returns {value, clear, forget,
      useAsset}: value is the image ({dataUrl, width, height, image, assetId, name, bytes}) once
      there is one; clear() is "Clear"; forget() empties the input and what was kept, quietly,
      for a form that is done with it (saved or cancelled); useAsset(id, {note}) puts a library
      image in its place without keeping it (a record's saved image, shown for editing). The first
      block of a page starts from the page's `?asset=` (a "Use in …" link), else from what was kept. */
  function upload(form, name, onImage, options) {
    const { onClear = null } = options || {};
    const block = form.querySelector('[data-upload="' + name + '"]');
    const part = (selector) => block.querySelector(selector);
    const zone = part(".dropzone");
    const input = part("input[type=file]");
    const info = part("[data-upload-info]");
    const error = part("[data-input-error]");
    const offer = part("[data-shrink-offer]");
    const clearButton = part("[data-upload-clear]");
    const limits = { mb: Number(block.dataset.maxMb), bytes: Number(block.dataset.maxMb) * MIB,
                     pixels: Number(block.dataset.maxPixels), side: Number(block.dataset.maxSide) || Infinity };
    const key = window.location.pathname + " " + name;
    const state = { value: null };
    const at = { ticket: 0, oversized: null };

    function say(message, shrinkable) {
      S.showError(error, shrinkable ? "" : message);
      offer.querySelector("[data-shrink-text]").textContent = shrinkable ? message + " Shrink it to fit?" : "";
      offer.classList.toggle("hidden", !shrinkable);
    }

    function settle(value, how) {
      state.value = value;
      info.textContent = [value.name, value.width + "×" + value.height + " px", value.assetId ? "from your library" : "",
                          sizeText(value.bytes), how.note, how.restored ? "restored" : ""].filter(Boolean).join(" · ");
      zone.classList.add("filled");
      zone.removeAttribute("aria-invalid");
      block.querySelectorAll("[data-field-error]").forEach((note) => note.remove());
      clearButton.classList.remove("hidden");
      if (how.keep !== false) { remembered.put(key, value.assetId ? { assetId: value.assetId } : { file: value.file }); }
      if (onImage) { onImage(value); }
    }

    /** Check `file` and take it: refused, offered a shrink, or settled as the input. */
    async function take(file, how) {
      const ticket = ++at.ticket;
      const { assetId = null } = how || {};
      const fileName = file.name || "pasted image";
      say("");
      try {
        const kind = await sniff(file);
        if (!kind) { throw new Error(NOT_AN_IMAGE); }
        const tooLarge = file.size > limits.bytes &&
          "This photo is " + megabytes(file.size) + "; the limit is " + limits.mb + " MB.";
        if (tooLarge && kind === "tiff") {   // only the server reads a TIFF, and not past the limit
          throw new Error(tooLarge + " A browser cannot shrink a TIFF: save it compressed, or as JPEG or PNG, and retry.");
        }
        const image = tooLarge ? null : await decode(file, assetId);
        const tooMany = image && image.width * image.height > limits.pixels &&
          "This photo is " + image.width + "×" + image.height + " px; the limit is " +
          limits.pixels.toLocaleString("en") + " pixels.";
        const tooWide = image && Math.max(image.width, image.height) > limits.side &&
          "This image is " + image.width + "×" + image.height + " px; a result can be at most " +
          limits.side + " px a side.";
        if (ticket !== at.ticket) { return; }
        if (tooLarge || tooMany || tooWide) {
          refuse(tooLarge || tooMany || tooWide, true);
          at.oversized = file;
          return;
        }
        settle(Object.assign(image, { assetId, name: fileName, bytes: file.size, file }), how || {});
      } catch (err) {
        if (ticket === at.ticket) { refuse(S.plainWords(err.message), false); }
      }
    }

    /** A file refused in place of the input: the one chosen before is no longer it, so no
        submit sends that one instead without a word. */
    function refuse(message, shrinkable) {
      if (state.value) {
        forget();
        if (onClear) { onClear(); }
      }
      say(message, shrinkable);
    }

    function fromLibrary(assetId, how) {
      const ticket = at.ticket;
      return S.loadAsset(assetId).then((asset) => {
        if (ticket === at.ticket) { return take(asset.file, Object.assign({ assetId }, how)); }
      });
    }

    function forget() {
      at.ticket += 1;
      state.value = null;
      input.value = "";
      info.textContent = "";
      say("");
      zone.classList.remove("filled");
      clearButton.classList.add("hidden");
      remembered.forget(key);
    }

    function clear() {
      forget();
      zone.focus();
      if (onClear) { onClear(); }
    }

    function useAsset(assetId, how) {
      forget();
      return fromLibrary(assetId, Object.assign({ keep: false }, how)).catch((err) => say(S.plainWords(err.message)));
    }

    S.dropzone(zone, input, (file) => take(file));
    blocks.push({ block, take });
    clearButton.addEventListener("click", clear);
    part("[data-library-open]").addEventListener("click", (event) => {
      library.open(event.currentTarget, (asset) => fromLibrary(asset.id).catch((err) => say(S.plainWords(err.message))));
    });
    const shrinkButton = part("[data-shrink]");
    S.handle(shrinkButton, "click", async () => {
      const big = at.oversized;
      const small = await shrink(big, limits);
      await take(small, { note: "shrunk from " + megabytes(big.size) });
    }, { button: shrinkButton, error });

    const starting = S.startingAsset();
    if (starting && block === form.querySelector("[data-upload]")) {
      fromLibrary(starting).catch((err) => say(S.plainWords(err.message)));
    } else {
      const ticket = at.ticket;
      remembered.get(key).then((kept) => {
        if (!kept || ticket !== at.ticket) { return null; }   // nothing kept, or the user was quicker
        return kept.assetId ? fromLibrary(kept.assetId, { restored: true }) : take(kept.file, { restored: true });
      }).catch(() => remembered.forget(key));                  // e.g. the asset was deleted since
    }
    return Object.assign(state, { clear, forget, useAsset });
  }

  Object.assign(S, { upload });
})();
