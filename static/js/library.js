/* Library page: select images, download them as one ZIP, or delete them. */
(function () {
  "use strict";
  const picks = () => Array.from(document.querySelectorAll(".pick:checked")).map((box) => box.value);
  const zipButton = document.getElementById("zip-selected");
  const deleteButton = document.getElementById("delete-selected");
  const error = document.getElementById("library-error");
  const refresh = () => { zipButton.disabled = deleteButton.disabled = picks().length === 0; };
  const fail = (err) => { error.textContent = err.message; error.classList.remove("hidden"); };

  document.getElementById("library").addEventListener("change", refresh);
  document.getElementById("select-all").addEventListener("click", () => {
    const boxes = document.querySelectorAll(".pick");
    const all = Array.from(boxes).every((box) => box.checked);
    boxes.forEach((box) => { box.checked = !all; });
    refresh();
  });
  zipButton.addEventListener("click", async () => {
    try {
      const blob = await Studio.api("/api/image-studio/assets/zip", { method: "POST", json: { ids: picks() } });
      Studio.download(blob, "image-studio-assets.zip");
    } catch (err) { fail(err); }
  });
  deleteButton.addEventListener("click", async () => {
    const ids = picks();
    if (!window.confirm("Delete " + ids.length + " image(s)? This cannot be undone.")) { return; }
    try {
      for (const id of ids) {
        await Studio.api("/api/image-studio/assets/" + id, { method: "DELETE" });
        document.querySelector('[data-asset-id="' + id + '"]').remove();
      }
      refresh();
    } catch (err) { fail(err); }
  });
})();
