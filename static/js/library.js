/* Library page: select images, download them as one ZIP, or delete them. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const library = document.getElementById("library");
  const picks = () => Array.from(document.querySelectorAll(".pick:checked")).map((box) => box.value);
  const zipButton = document.getElementById("zip-selected");
  const deleteButton = document.getElementById("delete-selected");
  const error = document.getElementById("library-error");
  const refresh = () => { zipButton.disabled = deleteButton.disabled = picks().length === 0; };
  const count = document.getElementById("library-count");
  /** The count follows deletes: "12 images" becomes "10 images" (the search, if any, stays named). */
  function recount(removed) {
    const match = /^(\d+) image(s?)(.*)$/.exec(count.textContent);
    if (!match) { return; }
    const left = Math.max(0, Number(match[1]) - removed);
    count.textContent = left + " image" + (left === 1 ? "" : "s") + match[3];
  }

  library.addEventListener("change", refresh);
  document.getElementById("select-all").addEventListener("click", () => {
    const boxes = document.querySelectorAll(".pick");
    const all = Array.from(boxes).every((box) => box.checked);
    boxes.forEach((box) => { box.checked = !all; });
    refresh();
  });
  S.handle(zipButton, "click", async () => {
    S.download(await S.api(library.dataset.zipUrl, { method: "POST", json: { ids: picks() } }));
  }, { error });
  S.handle(deleteButton, "click", async () => {
    const ids = picks();
    if (!window.confirm("Delete " + ids.length + " image(s)? This cannot be undone.")) { return; }
    try {
      for (const id of ids) {
        await S.api(S.url(library.dataset.deleteUrl, { asset_id: id }), { method: "DELETE" });
        document.querySelector('[data-asset-id="' + id + '"]').remove();
        recount(1);
      }
    } finally { refresh(); }
  }, { error });
})();
