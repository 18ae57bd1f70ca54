/*
 * atelierflash – run first, in the page's <head>: ?embed=1 marks the document as the compact
 * variant before anything is drawn (no header flashing in the iframe). The export inlines this
 * code without this comment (atelierflash.carte.page.inline_code); the page's
 * Content-Security-Policy allows that one inline script by its hash (page.page_csp).
 */
if (/[?&]embed=1(&|$)/.test(location.search)) {
  document.documentElement.classList.add("af-embed");
}
