/* Control Studio page: operation fields from the metadata endpoint, strength sliders. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const form = document.getElementById("control-form");
  const select = form.querySelector("select[name=operation]");
  const control = S.upload(form, "control");
  const style = S.upload(form, "style");
  let operations = {};

  function refresh() {
    const info = operations[select.value] || {};
    S.toggleFields(form, info.fields || {});
    document.getElementById("operation-description").textContent = info.description || "";
  }

  form.querySelectorAll("input[type=range]").forEach((el) => el.addEventListener("input", () => {
    form.querySelector('output[data-for="' + el.name + '"]').textContent = el.value;
  }));
  select.addEventListener("change", refresh);

  S.submit(form, async () => {
    if (!control.value) { throw new Error("Control image payload is required"); }
    const fields = (operations[select.value] || {}).fields || {};
    const body = Object.assign(S.values(form), {
      control_image_base64: control.value.dataUrl,
      style_image_base64: fields.style_image && style.value ? style.value.dataUrl : null,
    });
    const result = await S.api(form.dataset.processUrl, { method: "POST", json: body });
    S.showResult(document.querySelector("[data-result]"), control.value.dataUrl, result);
  });

  S.operations(form.dataset.operationsUrl, select).then((ops) => {
    operations = ops;
    if (ops.sketch) { select.value = "sketch"; }
    refresh();
  }).catch((error) => S.showError(form.querySelector("[data-error]"), error.message));
})();
