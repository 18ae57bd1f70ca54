/*
 * atelierflash – run first, in the page's <head> (static/publique/embed.js): ?embed=1 marks the
 * document as the compact variant before anything is drawn (no header flashing in the iframe).
 * A separate file because the page's Content-Security-Policy allows no inline script.
 */
if (/[?&]embed=1(&|$)/.test(location.search)) {
  document.documentElement.classList.add("af-embed");
}
