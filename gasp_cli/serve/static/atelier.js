// gasp serve: reload the page when the documents or the records' state change.
(function () {
  var bar = document.getElementById("gasp-atelier");
  var shown = bar ? bar.getAttribute("data-generation") : null;
  var source = new EventSource("/_gasp/events");
  source.onmessage = function (event) {
    if (shown !== null && event.data !== shown) { location.reload(); }
  };
  source.addEventListener("reload", function () { location.reload(); });
})();
