/* ImageStudio form pieces the edit, upscale and control pages share (templates/macros/studio.html):
   uploads, field toggles, form values, the operations menu and the result panel. */
(function () {
  "use strict";
  const { dropzone, loadImage, showError, api, downloadName } = window.ImageStudio;

  /** Wire a [data-upload] block (file picker + drag and drop); onImage gets the loaded image.
      Returns {value}: the loaded image ({dataUrl, width, height, image, assetId}) once there is
      one. The first block of a page also starts from the page's `?asset=` (a "Use in …" link). */
  function upload(form, name, onImage) {
    const block = form.querySelector('[data-upload="' + name + '"]');
    const zone = block.querySelector(".dropzone");
    const info = block.querySelector(".upload-info");
    const state = { value: null };
    const take = async (fileName, dataUrl, assetId) => {
      try {
        state.value = Object.assign(await loadImage(dataUrl), { assetId: assetId || null });
        info.textContent = fileName + " · " + state.value.width + "×" + state.value.height + " px" +
          (assetId ? " · from your library" : "");
        zone.classList.add("filled");
        if (onImage) { onImage(state.value); }
      } catch (error) { showError(form.querySelector("[data-error]"), error.message); }
    };
    dropzone(zone, block.querySelector("input[type=file]"), (file, dataUrl) => take(file.name, dataUrl));
    const starting = window.ImageStudio.startingAsset();
    if (starting && block === form.querySelector("[data-upload]")) {
      window.ImageStudio.loadAsset(starting).then((asset) => take(asset.file.name || "library image", asset.dataUrl, starting),
                                                 (error) => showError(form.querySelector("[data-error]"), error.message));
    }
    return state;
  }

  /** Show the [data-field] blocks whose field is true in the operation's metadata. */
  function toggleFields(root, fields) {
    root.querySelectorAll("[data-field]").forEach((node) => {
      node.classList.toggle("hidden", !node.dataset.field.split(" ").some((name) => fields[name]));
    });
  }

  /** Named form values of visible controls: empty text is null, data-number inputs are numbers. */
  function values(form) {
    const out = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach((node) => {
      if (node.type === "file" || node.closest(".hidden")) { return; }
      const text = node.value.trim();
      out[node.name] = text === "" ? null : (node.dataset.number !== undefined ? Number(text) : text);
    });
    return out;
  }

  /** GET the operations metadata and fill a <select>; returns the operations object. */
  async function operations(href, select) {
    const ops = (await api(href)).operations;
    select.innerHTML = "";
    Object.entries(ops).forEach(([key, info]) => select.add(new Option(info.label, key)));
    return ops;
  }

  /** The before/after comparison (macros/studio.html compare): the original over the result,
      clipped by the slider. */
  function compare(panel, beforeSrc, afterSrc) {
    const before = panel.querySelector("[data-before]");
    const slider = panel.querySelector("[data-slider]");
    panel.querySelector("[data-after]").src = afterSrc;
    before.src = beforeSrc;
    const clip = () => { before.style.clipPath = "inset(0 " + (100 - slider.value) + "% 0 0)"; };
    slider.oninput = clip;
    clip();
  }

  /** Point a panel's "Use in …" links (macros/studio.html use_in) at this result's asset. */
  function useIn(panel, assetId) {
    panel.querySelectorAll("[data-use-in] a[data-href]").forEach((link) => {
      link.href = window.ImageStudio.url(link.dataset.href, { asset_id: assetId });
    });
  }

  /** Fill the result panel: before/after slider, exact size, provider and cost, download. */
  function showResult(panel, beforeSrc, result) {
    compare(panel, beforeSrc, result.image_base64);
    panel.querySelector("[data-result-size]").textContent = result.width + "×" + result.height + " px";
    const meta = result.metadata || {};
    panel.querySelector("[data-result-info]").textContent = "Provider " + result.provider +
      (result.model ? " (" + result.model + ")" : "") + " · " + (meta.cost ?? 0) + " credits · " +
      (meta.processing_time ?? "?") + " s";
    useIn(panel, result.asset_id);
    const link = panel.querySelector("[data-download]");
    link.href = result.url;
    link.download = downloadName(result);
    panel.classList.remove("hidden");
  }

  Object.assign(window.ImageStudio, { upload, toggleFields, values, operations, compare, useIn, showResult });
})();
