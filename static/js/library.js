/* Library pages: star images and confirm deletes in the page (list and detail); on the list,
   select images to download as one ZIP, delete, add to a collection or (filtered by one) take
   out of it, and make, rename and delete collections; on the detail page, take the image out of
   its collections. Counts follow every change without a reload. */
(function () {
  "use strict";
  const S = window.ImageStudio;
  const error = document.getElementById("library-error");
  const status = document.getElementById("library-status");
  const plural = (n, word) => n + " " + word + (n === 1 ? "" : "s");
  const quoted = (name) => "“" + name + "”";

  /** Take an image out of one collection (the image itself stays): its button names the URL. */
  const takeOut = (button) => S.api(button.dataset.removeUrl, { method: "DELETE" });

  document.querySelectorAll("[data-favorite-url]").forEach((star) => {
    S.handle(star, "click", async () => {
      const wanted = star.getAttribute("aria-pressed") !== "true";
      const asset = await S.api(star.dataset.favoriteUrl, { method: "PUT", json: { favorite: wanted } });
      star.setAttribute("aria-pressed", String(asset.favorite));
    }, { error });
  });

  const detail = document.getElementById("asset-detail");
  if (detail) {
    S.handle(document.getElementById("delete-asset"), "click", async () => {
      if (!await S.confirmStep(document.getElementById("delete-confirm"),
                               "Delete this image? This cannot be undone.")) { return; }
      await S.api(detail.dataset.deleteUrl, { method: "DELETE" });
      window.location.assign(detail.dataset.libraryUrl);
    }, { error });
    const memberships = document.getElementById("in-collections");
    memberships.querySelectorAll("[data-remove-url]").forEach((button) => {
      S.handle(button, "click", async () => {
        await takeOut(button);
        const item = button.closest("li");
        const next = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        if (!next) {
          memberships.classList.add("hidden");
          memberships.parentElement.querySelector("[data-none]").classList.remove("hidden");
        }
        status.textContent = "Removed from " + quoted(item.querySelector("a").textContent) + ".";
        (next ? next.querySelector("button") : document.getElementById("lineage-heading")).focus();
      }, { button, error });
    });
  }

  const library = document.getElementById("library");
  if (!library) { return; }
  const picks = () => Array.from(document.querySelectorAll(".pick:checked")).map((box) => box.value);
  const zipButton = document.getElementById("zip-selected");
  const deleteButton = document.getElementById("delete-selected");
  const addButton = document.getElementById("add-selected");
  const removeButton = document.getElementById("remove-selected");   // on a page filtered by a collection
  const target = document.getElementById("collection-target");
  const total = document.querySelector("#library-count [data-total]");
  const cardOf = (id) => library.querySelector('[data-asset-id="' + id + '"]');
  const refresh = () => {
    const none = picks().length === 0;
    zipButton.disabled = deleteButton.disabled = none;
    addButton.disabled = none || !target.value;
    if (removeButton) { removeButton.disabled = none; }
  };
  /** The total follows removals: "12 images" becomes "10 images" (the search and the collection
      it is filtered by stay named beside it). */
  function recount(removed) {
    const left = Math.max(0, Number(total.dataset.total) - removed);
    total.dataset.total = String(left);
    total.textContent = plural(left, "image");
  }
  /** A card leaves the page (deleted, or out of the collection shown): its call's group goes with
      its last card. */
  function dropCard(id) {
    const card = cardOf(id);
    const group = card.closest(".asset-group");
    const grid = card.closest("#library");
    card.remove();
    if (group && !group.querySelector(".result")) { group.remove(); }
    recount(1);
    if (grid && !grid.querySelector(".result")) {
      grid.append(S.el("p", { class: "empty" }, Number(total.dataset.total) ?
        "No images left on this page: the others are on the pages before and after." : "No images here any more."));
    }
  }

  /* Collections: the panel's list with counts, the "add selected" choice and the filter's choice. */
  const list = document.getElementById("collection-list");
  const collectionConfirm = document.getElementById("collection-confirm");
  const collectionError = document.getElementById("collection-error");
  const heading = document.getElementById("collections-heading");
  const filterChoice = document.querySelector(".filters select[name=collection_id]");
  const collectionUrl = (id) => S.url(list.dataset.collectionUrl, { collection_id: id });
  const named = (id) => document.querySelectorAll('[data-collection-name="' + id + '"]');
  function showCount(collection) {
    const item = list.querySelector('[data-collection-id="' + collection.id + '"] [data-count]');
    if (item) { item.textContent = plural(collection.asset_count, "image"); }
  }
  /** Counts read again from the API after changes whose answers carry none (deletes, removals). */
  async function syncCounts() {
    (await S.api(list.dataset.listUrl)).collections.forEach(showCount);
  }

  /** Rename and Delete for one item of the panel; named after the item's link, so a rename
      renames them too. */
  function withControls(item) {
    const id = item.dataset.collectionId;
    const actions = S.el("span", { class: "collection-actions" });
    ["rename", "delete"].forEach((action) => {
      const own = action + "-collection-" + id;
      actions.append(S.el("button", { type: "button", class: "link" + (action === "delete" ? " danger" : ""),
                                      id: own, "aria-labelledby": own + " collection-" + id,
                                      ["data-" + action]: "" }, action === "rename" ? "Rename" : "Delete"));
    });
    item.append(actions);
  }
  function addCollection(collection) {
    const none = list.querySelector("[data-none]");
    if (none) { none.remove(); }
    const item = S.el("li", { "data-collection-id": collection.id });
    item.append(S.el("a", { href: S.url(list.dataset.filterUrl, { collection_id: collection.id }),
                            id: "collection-" + collection.id, "data-collection-name": collection.id }, collection.name),
                " ", S.el("span", { class: "muted", "data-count": "" }, plural(collection.asset_count, "image")));
    withControls(item);
    list.appendChild(item);
    [target, filterChoice].forEach((choice) => choice.appendChild(
      S.el("option", { value: collection.id, "data-collection-name": collection.id }, collection.name)));
    target.value = collection.id;
    refresh();
  }

  /** Rename in place: the item's link gives way to a name field with Save and Cancel (Escape
      cancels too); the API's refusal, such as a name already used, shows at the field. */
  function startRename(item) {
    const id = item.dataset.collectionId;
    const current = item.querySelector("a").textContent;
    const form = S.el("form", { class: "rename-collection" });
    const field = S.el("label", {}, "New name for " + quoted(current));
    const input = S.el("input", { type: "text", name: "name", maxlength: "120", required: "" });
    input.value = current;
    field.append(input);
    const cancel = S.el("button", { type: "button" }, "Cancel");
    form.append(field, S.el("div", { class: "alert error hidden", role: "alert", "data-error": "" }),
                S.el("button", { type: "submit", class: "primary" }, "Save"), cancel);
    const shown = Array.from(item.children);
    shown.forEach((node) => node.classList.add("hidden"));
    item.append(form);
    const close = () => {
      form.remove();
      shown.forEach((node) => node.classList.remove("hidden"));
      item.querySelector("[data-rename]").focus();
    };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (event) => { if (event.key === "Escape") { event.preventDefault(); close(); } });
    S.submit(form, async () => {
      const renamed = await S.api(collectionUrl(id), { method: "PUT", json: { name: input.value } })
        .catch((refused) => { input.focus(); throw refused; });   // Save was disabled meanwhile
      named(id).forEach((node) => { node.textContent = renamed.name; });
      close();
      status.textContent = "Renamed the collection to " + quoted(renamed.name) + ".";
    });
    input.focus();
    input.select();
  }

  /** Delete after the in-page step; the images stay. The page filtered by it shows the whole
      library instead. */
  async function deleteCollection(item) {
    const id = item.dataset.collectionId;
    const name = item.querySelector("a").textContent;
    if (!await S.confirmStep(collectionConfirm,
                             "Delete collection " + quoted(name) + "? Its images stay in your library.")) { return; }
    await S.api(collectionUrl(id), { method: "DELETE" });
    if (id === list.dataset.chosen) {
      const unfiltered = new URL(window.location.href);
      unfiltered.searchParams.delete("collection_id");
      unfiltered.searchParams.delete("page");
      window.location.assign(unfiltered.href);
      return;
    }
    item.remove();
    [target, filterChoice].forEach((choice) => choice.querySelector('option[value="' + id + '"]').remove());
    if (!list.querySelector("li")) { list.append(S.el("li", { class: "muted", "data-none": "" }, "No collections yet.")); }
    refresh();
    status.textContent = "Deleted the collection " + quoted(name) + "; its images stay in your library.";
    heading.focus();
  }

  list.querySelectorAll("li[data-collection-id]").forEach(withControls);
  S.handle(list, "click", async (event) => {
    const button = event.target.closest("button[data-rename], button[data-delete]");
    if (!button) { return; }
    const item = button.closest("li");
    if (button.hasAttribute("data-rename")) { startRename(item); } else { await deleteCollection(item); }
  }, { error: collectionError });

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
    if (!await S.confirmStep(document.getElementById("delete-confirm"),
                             "Delete " + plural(ids.length, "image") + "? This cannot be undone.")) { return; }
    try {
      for (const id of ids) {
        await S.api(S.url(library.dataset.deleteUrl, { asset_id: id }), { method: "DELETE" });
        dropCard(id);
      }
    } finally {
      refresh();
      await syncCounts();
    }
  }, { error });
  S.handle(addButton, "click", async () => {
    const ids = picks();
    const collection = await S.api(S.url(library.dataset.addUrl, { collection_id: target.value }),
                                   { method: "POST", json: { asset_ids: ids } });
    showCount(collection);
    status.textContent = "Added " + plural(ids.length, "image") + " to " + quoted(collection.name) + ".";
  }, { error });
  const newCollection = document.getElementById("new-collection");
  S.submit(newCollection, async () => {
    const made = await S.api(newCollection.dataset.url, { method: "POST", json: { name: newCollection.elements.name.value } });
    addCollection(made);
    newCollection.reset();
    status.textContent = "Created the collection " + quoted(made.name) + ".";
  });

  if (removeButton) {
    /** Out of the collection the page shows, so out of the page: the cards go, the counts follow. */
    const removeCards = async (ids) => {
      try {
        for (const id of ids) {
          await takeOut(cardOf(id).querySelector("[data-remove-url]"));
          dropCard(id);
        }
      } finally {
        refresh();
        await syncCounts();
      }
      status.textContent = "Removed " + plural(ids.length, "image") + " from " +
        quoted(named(list.dataset.chosen)[0].textContent) + ".";
    };
    S.handle(removeButton, "click", () => removeCards(picks()), { error });
    library.querySelectorAll("[data-remove-url]").forEach((button) => {
      S.handle(button, "click", async () => {
        const all = Array.from(library.querySelectorAll("[data-remove-url]"));
        const at = all.indexOf(button);
        const next = all[at + 1] || all[at - 1];
        await removeCards([button.closest(".result").dataset.assetId]);
        (next || heading).focus();
      }, { button, error });
    });
  }
  refresh();
})();
