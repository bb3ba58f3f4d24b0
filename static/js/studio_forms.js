/* ImageStudio form pieces the edit, upscale and control pages share (templates/macros/studio.html):
   uploads, field toggles, form values, the operations menu and the result panel. */
(function () {
  "use strict";
  const { dropzone, loadImage, showError, api, downloadName } = window.ImageStudio;

  /** Wire a [data-upload] block (file picker + drag and drop); onImage gets the loaded image.
      Returns {value}: the loaded image ({dataUrl, width, height, image}) once there is one. */
  function upload(form, name, onImage) {
    const block = form.querySelector('[data-upload="' + name + '"]');
    const zone = block.querySelector(".dropzone");
    const info = block.querySelector(".upload-info");
    const state = { value: null };
    dropzone(zone, block.querySelector("input[type=file]"), async (file, dataUrl) => {
      try {
        state.value = await loadImage(dataUrl);
        info.textContent = file.name + " · " + state.value.width + "×" + state.value.height + " px";
        zone.classList.add("filled");
        if (onImage) { onImage(state.value); }
      } catch (error) { showError(form.querySelector("[data-error]"), error.message); }
    });
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

  /** Fill the result panel: before/after slider, exact size, provider and cost, download. */
  function showResult(panel, beforeSrc, result) {
    compare(panel, beforeSrc, result.image_base64);
    panel.querySelector("[data-result-size]").textContent = result.width + "×" + result.height + " px";
    const meta = result.metadata || {};
    panel.querySelector("[data-result-info]").textContent = "Provider " + result.provider +
      (result.model ? " (" + result.model + ")" : "") + " · " + (meta.cost ?? 0) + " credits · " +
      (meta.processing_time ?? "?") + " s";
    const link = panel.querySelector("[data-download]");
    link.href = result.url;
    link.download = downloadName(result);
    panel.classList.remove("hidden");
  }

  Object.assign(window.ImageStudio, { upload, toggleFields, values, operations, compare, showResult });
})();
