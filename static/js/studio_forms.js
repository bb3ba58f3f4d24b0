/* ImageStudio form pieces the edit, upscale and control pages share (templates/macros/studio.html):
   field toggles, form values, the operations menu and the result panel (image inputs: inputs.js). */
(function () {
  "use strict";
  const { api, downloadName } = window.ImageStudio;

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
      clipped where the slider is. `placement` ({left, top, width, height}: fractions of the result)
      puts the original where it sits inside a larger result (an outpaint), not over all of it. */
  function compare(panel, beforeSrc, afterSrc, placement) {
    const before = panel.querySelector("[data-before]");
    const slider = panel.querySelector("[data-slider]");
    const box = placement || { left: 0, top: 0, width: 1, height: 1 };
    panel.querySelector("[data-after]").src = afterSrc;
    before.src = beforeSrc;
    ["left", "top", "width", "height"].forEach((side) => { before.style[side] = box[side] * 100 + "%"; });
    const clip = () => {
      const hidden = (box.left + box.width - slider.value / 100) / box.width;
      before.style.clipPath = "inset(0 " + Math.min(1, Math.max(0, hidden)) * 100 + "% 0 0)";
    };
    slider.oninput = clip;
    clip();
  }

  /** Point a panel's "Use in …" links (macros/studio.html use_in) at this result's asset. */
  function useIn(panel, assetId) {
    panel.querySelectorAll("[data-use-in] a[data-href]").forEach((link) => {
      link.href = window.ImageStudio.url(link.dataset.href, { asset_id: assetId });
    });
  }

  /** Fill the result panel: before/after slider (`placement` as compare's), exact size, provider
      and cost, download. */
  function showResult(panel, beforeSrc, result, placement) {
    compare(panel, beforeSrc, result.image_base64, placement);
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

  Object.assign(window.ImageStudio, { toggleFields, values, operations, compare, useIn, showResult });
})();
