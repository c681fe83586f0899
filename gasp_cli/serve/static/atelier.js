// gasp serve: reload the page when the documents or the records' state change. A page with
// forms (data-live="non") is not reloaded under the secretary's typing: it says so instead.
(function () {
  var bar = document.getElementById("gasp-atelier");
  if (!bar) { return; }
  var shown = bar.getAttribute("data-generation");
  var live = bar.getAttribute("data-live") !== "non";
  var source = new EventSource("/_gasp/events");
  function changed() {
    if (live) { source.close(); location.reload(); return; }
    var notice = bar.querySelector(".gasp-perime");
    if (notice) { notice.hidden = false; }
  }
  source.onmessage = function (event) {
    if (event.data !== shown) { shown = event.data; changed(); }
  };
  source.addEventListener("reload", function (event) { shown = event.data; changed(); });
})();
