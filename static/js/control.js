/* Control Studio page: operation fields from the metadata endpoint, strength sliders; the call
   runs as a job (jobs.js). */
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

  S.submitJob(form, { key: "control", prepare: () => {
    if (!control.value) { throw new Error("Control image payload is required"); }
    const fields = (operations[select.value] || {}).fields || {};
    const body = Object.assign(S.values(form), {
      ...S.imageInput("control_image", control.value),
      ...(fields.style_image ? S.imageInput("style_image", style.value) : {}),
    });
    return { href: form.dataset.processUrl, body, context: { before: control.value.previewUrl } };
  }, render: (result, context) => {
    S.showResult(document.querySelector("[data-result]"), (context && context.before) || result.image_base64, result);
  } });

  S.operations(form.dataset.operationsUrl, select).then((ops) => {
    operations = ops;
    if (ops.sketch) { select.value = "sketch"; }
    refresh();
  }).catch((error) => S.showError(form.querySelector("[data-error]"), error.message));
})();
