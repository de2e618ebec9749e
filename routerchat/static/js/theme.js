// Apply a saved theme before first paint so the page never flashes the wrong colours.
// (A file rather than an inline script: the Content-Security-Policy allows no inline script.)
(function () {
  var theme = localStorage.getItem("routerchat.theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
})();
