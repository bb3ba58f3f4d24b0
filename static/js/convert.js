/* Convert page: the target format with what it can hold, the background for transparency, the
   result with its sizes, a before/after and a zoom at 100% (delivery.js). */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const D = S.delivery;
  const form = document.getElementById("convert-form");
  if (!form) { return; }
  const f = form.elements;
  const formats = Object.fromEntries(JSON.parse(form.dataset.formats).map((x) => [x.format, x]));
  const image = S.upload(form, "image", () => sync());

  function sync() {
    const target = formats[f.target_format.value];
    S.toggleFields(form, { quality: target.lossy, transparency: target.transparency });
    f.background_colour.classList.toggle("hidden", f.background_kind.value !== "colour");
    form.querySelector("[data-format-help]").textContent = [
      target.transparency ? "Keeps transparency." : "No transparency: it is flattened onto the background.",
      target.lossy ? "Lossy: a quality applies." : "Lossless.",
      target.ai_mark ? "" : "Cannot carry the AI mark (XMP).",
      f.target_format.value === "gif" ? "256 colours at most; an animation keeps its first frame." : "",
    ].filter(Boolean).join(" ");
  }

  function body() {
    const values = S.values(form);
    return { ...S.imageInput("image", image.value), target_format: values.target_format, quality: values.quality,
             background: f.background_kind.value === "colour" ? f.background_colour.value : f.background_kind.value,
             preserve_transparency: f.preserve_transparency.checked, strip_metadata: f.strip_metadata.checked };
  }

  form.querySelectorAll("select").forEach((select) => select.addEventListener("change", sync));
  S.submit(form, async () => {
    if (!image.value) { throw new Error("Choose an image to convert first"); }
    const result = await S.api(form.dataset.convertUrl, { method: "POST", json: body() });
    await D.showDelivered(document.querySelector("[data-result]"), image.value, result,
      result.original_format.toUpperCase() + " " + D.kb(result.original_size_kb * 1024) + " → " +
      result.target_format.toUpperCase() + " " + D.kb(result.converted_size_kb * 1024) + " · " + result.width + "×" +
      result.height + " px" + (result.transparency_preserved ? " · transparency kept" : "") +
      (result.metadata_preserved ? " · metadata kept" : ""));
  });
  sync();
})();
