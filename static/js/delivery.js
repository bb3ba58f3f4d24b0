/* What the Compress and Convert pages share (templates/macros/delivery.html): the result's sizes,
   before/after, a side-by-side zoom at 100%, notes, the AI mark and download. The source image
   is an ImageStudio.upload (inputs.js). */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const { el } = S;

  function kb(bytes) {
    const value = bytes / 1024;
    return value >= 1024 ? (value / 1024).toFixed(2) + " MB" : value.toFixed(value < 10 ? 1 : 0) + " KB";
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

  /** Fill the result panel: `sizes` is the line above the images. A TIFF is shown through the
      server's copy of it (browsers do not draw TIFF); the download is the file itself. */
  async function showDelivered(panel, before, result, sizes) {
    const after = result.image_base64.startsWith("data:image/tiff")
      ? (await S.drawable({ image_asset_id: result.asset_id }, result.image_base64)).previewUrl
      : result.image_base64;
    const zoom = panel.zoom || (panel.zoom = wireZoom(panel));
    panel.querySelector("[data-after]").onload = zoom.place;
    S.compare(panel, before.previewUrl, after);
    zoom.views[0].style.backgroundImage = 'url("' + before.previewUrl + '")';
    zoom.views[1].style.backgroundImage = 'url("' + after + '")';
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

  Object.assign(S, { delivery: { kb, showDelivered } });
})();
