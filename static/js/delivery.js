/* What the Compress and Convert pages share (templates/macros/delivery.html): the source image
   (drop, pick or paste a file, or choose one from the library; size checked before it is read),
   and the result: sizes, before/after, a side-by-side zoom at 100%, notes, the AI mark, download. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const { el } = S;

  function kb(bytes) {
    const value = bytes / 1024;
    return value >= 1024 ? (value / 1024).toFixed(2) + " MB" : value.toFixed(value < 10 ? 1 : 0) + " KB";
  }

  /** Bytes a data URL holds. */
  function dataUrlBytes(dataUrl) {
    const base64 = dataUrl.slice(dataUrl.indexOf(",") + 1);
    return Math.floor(base64.length * 3 / 4) - (base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0);
  }

  /** The source image of `form`: {value: {dataUrl, width, height, bytes, name}}; onImage on each new one. */
  function source(form, onImage) {
    const limits = JSON.parse(form.dataset.limits);
    const block = form.querySelector('[data-upload="image"]');
    const zone = block.querySelector(".dropzone");
    const info = block.querySelector("[data-upload-info]");
    const errorBox = form.querySelector("[data-error]");
    const state = { value: null };
    async function take(name, dataUrl, assetId) {
      const image = await S.loadImage(dataUrl);
      if (image.width * image.height > limits.max_pixels) {
        throw new Error(name + " is " + image.width + "×" + image.height + " pixels, more than the " +
                        limits.max_pixels.toLocaleString("en") + " pixel limit");
      }
      state.value = Object.assign(image, { bytes: dataUrlBytes(dataUrl), name, assetId: assetId || null });
      info.textContent = name + " · " + image.width + "×" + image.height + " px · " + kb(state.value.bytes);
      zone.classList.add("filled");
      S.showError(errorBox, "");
      onImage(state.value);
    }
    const fail = (err) => S.showError(errorBox, err.message);
    const check = (file) => {
      if (file.size > limits.max_mb * 1024 * 1024) {
        throw new Error(file.name + " is " + kb(file.size) + "; the limit is " + limits.max_mb + " MB");
      }
    };
    S.dropzone(zone, block.querySelector("input[type=file]"), (file, dataUrl) => take(file.name, dataUrl).catch(fail),
               { check, onError: fail });
    zone.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); block.querySelector("input[type=file]").click(); }
    });
    document.addEventListener("paste", (event) => {
      const file = Array.from(event.clipboardData.files || []).find((f) => f.type.startsWith("image/"));
      if (!file) { return; }
      try { check(file); } catch (err) { fail(err); return; }
      S.readFile(file).then((dataUrl) => take(file.name || "pasted image", dataUrl)).catch(fail);
    });
    libraryPicker(form, (name, dataUrl, assetId) => take(name, dataUrl, assetId).catch(fail), fail);
    if (S.startingAsset()) {
      S.loadAsset(S.startingAsset()).then((asset) => take(asset.file.name || "library image", asset.dataUrl, asset.assetId))
        .catch(fail);
    }
    return state;
  }

  /** The "Choose from your library" dialog: the newest images, one click to use one. */
  function libraryPicker(form, onPick, onError) {
    const dialog = form.querySelector("[data-library]");
    const grid = dialog.querySelector("[data-library-grid]");
    const status = dialog.querySelector("[data-library-status]");
    form.querySelector("[data-library-open]").addEventListener("click", async () => {
      dialog.showModal();
      status.textContent = "Loading…";
      grid.replaceChildren();
      try {
        const { assets } = await S.api(dialog.dataset.assetsUrl + "?per_page=24");
        status.textContent = assets.length ? "Newest first." : "Your library is empty: images you make appear here.";
        assets.forEach((asset) => {
          const button = el("button", { type: "button", class: "library-item", "data-asset": asset.id,
                                        title: asset.file_name });
          button.append(el("img", { src: asset.url, alt: asset.file_name, loading: "lazy" }),
                        el("span", {}, asset.width + "×" + asset.height + " · " + asset.studio));
          button.addEventListener("click", async () => {
            dialog.close();
            try {
              const file = await S.api(asset.url, { headers: { Accept: "image/*" } });
              onPick(asset.file_name, await S.readFile(file), asset.id);
            } catch (err) { onError(err); }
          });
          grid.appendChild(button);
        });
      } catch (err) { status.textContent = err.message; }
    });
    dialog.querySelector("[data-library-close]").addEventListener("click", () => dialog.close());
  }

  /** The zoom pair follows the pointer over the before/after image, or the arrow keys. */
  function wireZoom(panel) {
    const compare = panel.querySelector("[data-compare]");
    const pair = panel.querySelector("[data-zoom-pair]");
    const views = [panel.querySelector("[data-zoom-before]"), panel.querySelector("[data-zoom-after]")];
    const at = { x: 0.5, y: 0.5 };
    function place() {
      const image = panel.querySelector("[data-after]");
      const w = image.naturalWidth, h = image.naturalHeight;
      views.forEach((view) => {
        view.style.backgroundSize = w + "px " + h + "px";
        const left = Math.max(0, Math.min(w - view.clientWidth, at.x * w - view.clientWidth / 2));
        const top = Math.max(0, Math.min(h - view.clientHeight, at.y * h - view.clientHeight / 2));
        view.style.backgroundPosition = -left + "px " + -top + "px";
      });
    }
    compare.addEventListener("pointermove", (e) => {
      const box = compare.getBoundingClientRect();
      at.x = (e.clientX - box.left) / box.width; at.y = (e.clientY - box.top) / box.height;
      place();
    });
    pair.addEventListener("keydown", (e) => {
      const step = { ArrowLeft: [-0.05, 0], ArrowRight: [0.05, 0], ArrowUp: [0, -0.05], ArrowDown: [0, 0.05] }[e.key];
      if (!step) { return; }
      e.preventDefault();
      at.x = Math.min(1, Math.max(0, at.x + step[0])); at.y = Math.min(1, Math.max(0, at.y + step[1]));
      place();
    });
    return { views, place };
  }

  /** The request's image: a library pick goes by its asset id (not sent again), a file as base64. */
  function imageField(value) {
    return value.assetId ? { image_asset_id: value.assetId } : { image_base64: value.dataUrl };
  }

  /** Fill the result panel: `sizes` is the line above the images. */
  function showDelivered(panel, before, result, sizes) {
    const zoom = panel.zoom || (panel.zoom = wireZoom(panel));
    panel.querySelector("[data-after]").onload = zoom.place;
    S.compare(panel, before.dataUrl, result.image_base64);
    zoom.views[0].style.backgroundImage = 'url("' + before.dataUrl + '")';
    zoom.views[1].style.backgroundImage = 'url("' + result.image_base64 + '")';
    panel.querySelector("[data-sizes]").textContent = sizes;
    const meta = result.metadata || {};
    panel.querySelector("[data-notes]").replaceChildren(...(meta.notes || []).map((note) => el("li", { class: "alert info" }, note)));
    const mark = meta.provenance;
    panel.querySelector("[data-provenance]").textContent = mark
      ? "Marked as AI-made (" + mark.digital_source_type.split("/").pop() + (mark.ai_system ? ", " + mark.ai_system : "") + ")" +
        (mark.c2pa ? " with signed Content Credentials" : "")
      : "No AI mark: the source carried none.";
    S.useIn(panel, result.asset_id);
    const link = panel.querySelector("[data-download]");
    link.href = result.url;
    link.download = S.downloadName(result);
    link.textContent = "Download " + (result.file_name || "");
    panel.classList.remove("hidden");
    panel.scrollIntoView({ block: "nearest" });
  }

  Object.assign(S, { delivery: { kb, source, imageField, showDelivered } });
})();
